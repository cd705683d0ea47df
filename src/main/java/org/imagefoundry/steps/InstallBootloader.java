package org.imagefoundry.steps;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.List;
import org.imagefoundry.host.FatFiles;
import org.imagefoundry.host.Grub;
import org.imagefoundry.host.LoopDevices;
import org.imagefoundry.imagetree.BootEntries;
import org.imagefoundry.metadata.DiskMetadata.PartitionMetadata;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.spec.DiskLayout;
import org.springframework.stereotype.Component;

/**
 * GRUB on the disk for the firmware the request boots with: for BIOS onto the disk's loop device, for UEFI
 * an image at EFI/BOOT/BOOTX64.EFI copied into the EFI system partition (never mounted); one grub.cfg in
 * /boot/grub for both, with a menu entry that boots the kernel with the root filesystem by UUID.
 */
@Component
public class InstallBootloader extends BuildStep {

  private final Grub grub;
  private final FatFiles fatFiles;
  private final LoopDevices loopDevices;
  private final BootEntries bootEntries;
  private final DiskMounts diskMounts;

  public InstallBootloader(StepSupport support, Grub grub, FatFiles fatFiles, LoopDevices loopDevices,
      BootEntries bootEntries, DiskMounts diskMounts) {
    super(support);
    this.diskMounts = diskMounts;
    this.grub = grub;
    this.fatFiles = fatFiles;
    this.loopDevices = loopDevices;
    this.bootEntries = bootEntries;
  }

  @Override
  protected void run(Build build) {
    diskMounts.remount(build);
    List<PartitionMetadata> partitions = build.getJson(BuildVariables.DISK_PARTITIONS,
        new TypeReference<List<PartitionMetadata>>() {});
    String rootUuid = uuidOf(partitions, "/");
    boolean bootPartition = partitions.stream().anyMatch(p -> "/boot".equals(p.mount()));
    String bootUuid = bootPartition ? uuidOf(partitions, "/boot") : rootUuid;
    String bootPrefix = bootPartition ? "" : "/boot";
    var bootDirectory = build.workspace().diskRoot().resolve("boot");
    String disk = loopDevices.attachWithPartitions(build.workspace().diskFile());
    var diskSpec = build.spec().disk();
    if (diskSpec.bootsBios()) {
      grub.installBios(disk, bootDirectory);
    }
    if (diskSpec.bootsUefi()) {
      var files = build.workspace().efiSystemFiles();
      grub.makeUefiImage(files, bootUuid, bootPrefix + "/grub");
      int efiSystem = DiskLayout.of(build.spec()).efiSystem().orElseThrow().number();
      fatFiles.copyTree(files, LoopDevices.partition(disk, efiSystem));
    }
    var kernel = new BootEntries.Kernel(build.variables().kernel());
    bootEntries.writeGrubConfig(bootDirectory, BootEntries.grubConfig(kernel, bootUuid, rootUuid, bootPrefix));
  }

  private static String uuidOf(List<PartitionMetadata> partitions, String mount) {
    return partitions.stream().filter(p -> mount.equals(p.mount())).findFirst().orElseThrow().uuid();
  }
}

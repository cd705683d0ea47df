package org.imagefoundry.steps;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.List;
import org.imagefoundry.host.BuildFailure;
import org.imagefoundry.host.FatFiles;
import org.imagefoundry.host.Grub;
import org.imagefoundry.host.LoopDevices;
import org.imagefoundry.imagetree.BootEntries;
import org.imagefoundry.imagetree.ChrootFiles;
import org.imagefoundry.metadata.DiskMetadata.PartitionMetadata;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.spec.Architecture;
import org.imagefoundry.spec.DiskLayout;
import org.springframework.stereotype.Component;

/**
 * GRUB on the disk for the firmware the request boots with: for BIOS onto the disk's loop device, for UEFI
 * an image at the architecture's removable path (EFI/BOOT/BOOTX64.EFI, EFI/BOOT/BOOTAA64.EFI) copied into
 * the EFI system partition (never mounted); one grub.cfg in /boot/grub for both, with a menu entry that
 * boots the kernel with the root filesystem by UUID on the architecture's serial console. GRUB's modules
 * are the host's for its own architecture, else the image's own GRUB package's (copied out of the image).
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
    Architecture arch = build.spec().arch();
    if (diskSpec.bootsUefi()) {
      var files = build.workspace().efiSystemFiles();
      grub.makeUefiImage(files, bootUuid, bootPrefix + "/grub", uefiPlatform(build, arch));
      int efiSystem = DiskLayout.of(build.spec()).efiSystem().orElseThrow().number();
      fatFiles.copyTree(files, LoopDevices.partition(disk, efiSystem));
    }
    var kernel = new BootEntries.Kernel(build.variables().kernel());
    bootEntries.writeGrubConfig(bootDirectory, BootEntries.grubConfig(kernel, bootUuid, rootUuid, bootPrefix, arch));
  }

  /** The host's GRUB modules for its own architecture; for another, those of the image's GRUB package. */
  private static Grub.UefiPlatform uefiPlatform(Build build, Architecture arch) {
    if (arch.isNative()) {
      return Grub.UefiPlatform.ofHost(arch.grubEfi(), arch.efiLoader());
    }
    String modules = "usr/lib/grub/" + arch.grubEfi();
    if (!ChrootFiles.exists(build.workspace().diskRoot(), modules)) {
      throw new BuildFailure("the image has no " + modules + " for GRUB: " + arch.grubEfiPackage()
          + " must be among the packages of an " + arch.name() + " disk");
    }
    var copy = build.workspace().grubModules();
    ChrootFiles.copyRegularFiles(build.workspace().diskRoot(), modules, copy);
    return new Grub.UefiPlatform(arch.grubEfi(), copy, arch.efiLoader());
  }

  private static String uuidOf(List<PartitionMetadata> partitions, String mount) {
    return partitions.stream().filter(p -> mount.equals(p.mount())).findFirst().orElseThrow().uuid();
  }
}

package org.imagefoundry.steps;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.List;
import org.imagefoundry.host.Grub;
import org.imagefoundry.host.LoopDevices;
import org.imagefoundry.imagetree.BootEntries;
import org.imagefoundry.metadata.DiskMetadata.PartitionMetadata;
import org.springframework.stereotype.Component;

/** GRUB for BIOS on the disk, with a menu entry that boots the kernel with the root filesystem by UUID. */
@Component
public class InstallBootloader extends BuildStep {

  private final Grub grub;
  private final LoopDevices loopDevices;
  private final BootEntries bootEntries;

  public InstallBootloader(StepSupport support, Grub grub, LoopDevices loopDevices, BootEntries bootEntries) {
    super(support);
    this.grub = grub;
    this.loopDevices = loopDevices;
    this.bootEntries = bootEntries;
  }

  @Override
  protected void run(Build build) {
    List<PartitionMetadata> partitions = build.getJson(BuildVariables.DISK_PARTITIONS,
        new TypeReference<List<PartitionMetadata>>() {});
    String rootUuid = uuidOf(partitions, "/");
    boolean bootPartition = partitions.stream().anyMatch(p -> "/boot".equals(p.mount()));
    var bootDirectory = build.workspace().diskRoot().resolve("boot");
    String disk = loopDevices.attachWithPartitions(build.workspace().diskFile());
    grub.installBios(disk, bootDirectory);
    var kernel = new BootEntries.Kernel((String) build.execution().getVariable(BuildVariables.KERNEL));
    bootEntries.writeGrubConfig(bootDirectory, BootEntries.grubConfig(kernel,
        bootPartition ? uuidOf(partitions, "/boot") : rootUuid, rootUuid, bootPartition ? "" : "/boot"));
  }

  private static String uuidOf(List<PartitionMetadata> partitions, String mount) {
    return partitions.stream().filter(p -> mount.equals(p.mount())).findFirst().orElseThrow().uuid();
  }
}

package org.imagefoundry.steps;

import java.util.ArrayList;
import java.util.List;
import org.imagefoundry.host.DiskImages;
import org.imagefoundry.host.Filesystems;
import org.imagefoundry.host.LoopDevices;
import org.imagefoundry.host.Mounts;
import org.imagefoundry.imagetree.Fstab;
import org.imagefoundry.metadata.DiskMetadata.PartitionMetadata;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.spec.BuildSpec.ImageSpec;
import org.imagefoundry.spec.DiskLayout.Partition;
import org.imagefoundry.spec.DiskLayout;
import org.springframework.stereotype.Component;

/**
 * Copies each shrunk filesystem image onto its partition and grows it to fill it, makes the swap and the
 * EFI system partition's FAT (never mounted here: installBootloader writes it with mtools), mounts the
 * disk's filesystems (shallowest first) and writes its fstab by UUID, the EFI system partition at /boot/efi. Copying the finished images is
 * simpler and faster than building a second time in place: they are already shrunk and their free
 * blocks punched out, so dd writes only data.
 */
@Component
public class AssembleDisk extends BuildStep {

  private final LoopDevices loopDevices;
  private final DiskImages diskImages;
  private final Filesystems filesystems;
  private final Mounts mounts;
  private final Fstab fstab;
  private final DiskMounts diskMounts;

  public AssembleDisk(StepSupport support, LoopDevices loopDevices, DiskImages diskImages, Filesystems filesystems,
      Mounts mounts, Fstab fstab, DiskMounts diskMounts) {
    super(support);
    this.loopDevices = loopDevices;
    this.diskImages = diskImages;
    this.filesystems = filesystems;
    this.mounts = mounts;
    this.fstab = fstab;
    this.diskMounts = diskMounts;
  }

  @Override
  protected void run(Build build) {
    var root = build.workspace().diskRoot();
    mounts.unmountAll(root); // a retry copies afresh: never onto a mounted filesystem
    String disk = loopDevices.attachWithPartitions(build.workspace().diskFile());
    DiskLayout layout = DiskLayout.of(build.spec());
    List<PartitionMetadata> partitions = new ArrayList<>();
    List<Fstab.Entry> entries = new ArrayList<>();
    for (Partition partition : layout.partitions()) {
      String device = LoopDevices.partition(disk, partition.number());
      String format = null;
      String uuid = null;
      if (DiskLayout.FILESYSTEM.equals(partition.role())) {
        ImageSpec image = build.spec().images().get(partition.image()).spec();
        format = image.format();
        diskImages.copy(build.workspace().imageFile(partition.image()), device);
        filesystems.grow(device);
        uuid = filesystems.uuid(device);
        entries.add(new Fstab.Entry(uuid, partition.mount(), format));
      } else if (DiskLayout.EFI_SYSTEM.equals(partition.role())) {
        format = "vfat";
        filesystems.makeEfiSystem(device);
        uuid = filesystems.uuid(device);
        entries.add(new Fstab.Entry(uuid, partition.mount(), format));
      } else if (DiskLayout.SWAP.equals(partition.role())) {
        filesystems.makeSwap(device);
        uuid = filesystems.uuid(device);
        entries.add(new Fstab.Entry(uuid, null, "swap"));
      }
      partitions.add(new PartitionMetadata(partition.number(), partition.role(), partition.mount(), format,
          partition.start(), partition.size(), uuid));
    }
    diskMounts.mount(build, disk);
    fstab.write(root, entries);
    build.setJson(BuildVariables.DISK_PARTITIONS, partitions);
  }

}

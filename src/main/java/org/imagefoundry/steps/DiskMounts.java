package org.imagefoundry.steps;

import java.nio.file.Path;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.LoopDevices;
import org.imagefoundry.host.Mounts;
import org.imagefoundry.spec.DiskLayout;
import org.imagefoundry.spec.DiskLayout.Partition;
import org.springframework.stereotype.Component;

/**
 * The disk's filesystems, mounted at the workspace's disk root by assembleDisk and mounted again by
 * findKernel and installBootloader when they find them missing: the service's mounts live in its own
 * mount namespace, which dies with it, so after a crash the disk's loop device is still attached but
 * nothing is mounted any more (as {@link ChrootMounts} does for the images). What is mounted already is
 * left as it is.
 */
@Component
public class DiskMounts {

  private final LoopDevices loopDevices;
  private final Mounts mounts;

  public DiskMounts(LoopDevices loopDevices, Mounts mounts) {
    this.loopDevices = loopDevices;
    this.mounts = mounts;
  }

  /** The disk's filesystems on the partitions of {@code disk} (its loop device), shallowest first. */
  public void mount(Build build, String disk) {
    for (Partition partition : DiskLayout.of(build.spec()).filesystems()) {
      String format = build.spec().images().get(partition.image()).spec().format();
      mounts.mount(LoopDevices.partition(disk, partition.number()), format, mountPoint(build, partition.mount()));
    }
  }

  /** {@link #mount} for a step after assembleDisk, on the disk's loop device, saying so when it had to. */
  public void remount(Build build) {
    boolean missing = DiskLayout.of(build.spec()).filesystems().stream()
        .anyMatch(partition -> !mounts.isMounted(mountPoint(build, partition.mount())));
    if (missing) {
      BuildLog.warn("the disk's filesystems are not mounted (the service was restarted): mounting them again");
    }
    mount(build, loopDevices.attachWithPartitions(build.workspace().diskFile()));
  }

  static Path mountPoint(Build build, String mount) {
    Path root = build.workspace().diskRoot();
    return "/".equals(mount) ? root : root.resolve(mount.substring(1));
  }
}

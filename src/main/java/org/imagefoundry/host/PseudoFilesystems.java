package org.imagefoundry.host;

import java.nio.file.Path;
import java.util.List;
import org.springframework.stereotype.Component;

/** /proc, /sys, /dev and /dev/pts inside the chroot, for apt and maintainer scripts. */
@Component
public class PseudoFilesystems {

  /** Where the build's share of the package pool is bind-mounted. */
  public static final String APT_ARCHIVES = "var/cache/apt/archives";
  /** Deepest first; /dev and /dev/pts are more than fuel-agent mounted (dkms needs /dev/fd, LP#1485565). */
  static final List<String> UNMOUNT_ORDER = List.of(APT_ARCHIVES, "dev/pts", "dev", "sys", "proc");

  private final Mounts mounts;

  public PseudoFilesystems(Mounts mounts) {
    this.mounts = mounts;
  }

  public void mount(Path root) {
    mounts.mount("proc", "proc", root.resolve("proc"));
    mounts.mount("sysfs", "sysfs", root.resolve("sys"));
    mounts.bind(Path.of("/dev"), root.resolve("dev"));
    mounts.bind(Path.of("/dev/pts"), root.resolve("dev/pts"));
  }

  /** Unmounts them (and the package pool) deepest first, and whatever else a process mounted below them. */
  public void unmount(Path root) {
    for (String point : UNMOUNT_ORDER) {
      mounts.unmountAll(root.resolve(point));
    }
  }
}

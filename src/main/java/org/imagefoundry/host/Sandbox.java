package org.imagefoundry.host;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What runs inside an image's tree (apt-get, dpkg, and through them every maintainer script) runs in a
 * bubblewrap sandbox, as osbuild runs its stages and mkosi its scripts, never in a plain chroot whose
 * scripts are root on the host. The sandbox has its own PID, IPC and UTS namespaces and its own /proc
 * (its processes see only each other; its sysctls read-only), a minimal /dev (null, zero, full, random, urandom, tty, pts,
 * shm; no device node of the host, and device nodes in the tree do not work), an empty /sys, only the
 * capabilities dpkg needs (no mknod, no mount, no ptrace, no module loading, no raw I/O), and it dies
 * with its parent. Its processes still carry the build's tag in their environment, so stopping them,
 * cancel and crash recovery find them as before.
 */
public final class Sandbox {

  /** What dpkg and maintainer scripts need: files' owners and modes, users, setcap'd binaries, chroot. */
  static final List<String> CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
      "CAP_FOWNER", "CAP_FSETID", "CAP_SETUID", "CAP_SETGID", "CAP_SETFCAP", "CAP_SYS_CHROOT", "CAP_KILL");

  private Sandbox() {}

  /** {@code command} run inside {@code root} (its mounts included, e.g. the package pool). */
  public static List<String> in(Path root, List<String> command) {
    List<String> args = new ArrayList<>(List.of("bwrap",
        "--bind", root.toString(), "/",
        "--proc", "/proc",
        // root needs no capability to write a sysctl (kernel.core_pattern runs a program on the host)
        "--ro-bind", "/proc/sys", "/proc/sys",
        "--ro-bind-try", "/proc/sysrq-trigger", "/proc/sysrq-trigger",
        "--ro-bind-try", "/proc/fs", "/proc/fs",
        "--dev", "/dev",
        "--tmpfs", "/sys",
        "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--die-with-parent", "--new-session",
        "--cap-drop", "ALL"));
    for (String capability : CAPABILITIES) {
      args.addAll(List.of("--cap-add", capability));
    }
    args.add("--");
    args.addAll(command);
    return args;
  }

  public static List<String> in(Path root, String... command) {
    return in(root, List.of(command));
  }
}

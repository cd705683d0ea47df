package org.imagefoundry.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * What runs inside an image's tree (apt-get, dpkg, mmdebstrap beside it, and through them every
 * maintainer script) runs in a bubblewrap sandbox, as osbuild runs its stages and mkosi its scripts,
 * never in a plain chroot whose scripts are root on the host. Each command runs in a {@link UserNamespace}
 * of its own, whose root is not the host's: ids map one to one, so files keep their owners, but no
 * capability counts outside it (no open_by_handle_at, mknod of a device, mount, raw I/O or module loading
 * on the host, whatever the sandbox's mounts show). Inside it the sandbox has its own PID, IPC and UTS
 * namespaces and its own /proc (its processes see only each other; its sysctls read-only: an id-mapped
 * root needs no capability to write most of them), a minimal /dev (null, zero, full, random, urandom,
 * tty, pts, shm; no device node of the host), an empty /sys, only the capabilities dpkg needs, and it
 * dies with its parent. Its processes, and the namespace's holder, carry the build's tag in their
 * environment, so stopping them, cancel and crash recovery find them as before.
 */
@Component
public class Sandbox {

  /** What dpkg and maintainer scripts need: files' owners and modes, users, setcap'd binaries, chroot. */
  static final List<String> CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
      "CAP_FOWNER", "CAP_FSETID", "CAP_SETUID", "CAP_SETGID", "CAP_SETFCAP", "CAP_SYS_CHROOT", "CAP_KILL");

  /**
   * What a host tool run beside a tree sees of the host, read-only: its programs and libraries, and the
   * files that name resolution, TLS and apt's user lookup read. No secret: neither /etc/shadow nor
   * /etc/ssl/private, nor the service's own files.
   */
  static final List<String> HOST_TOOLS = List.of("/usr", "/etc/alternatives", "/etc/ld.so.cache", "/etc/resolv.conf",
      "/etc/hosts", "/etc/nsswitch.conf", "/etc/gai.conf", "/etc/ssl/certs", "/etc/passwd", "/etc/group");
  /** The merged-/usr links (or directories) a host tool's interpreter and libraries are found through. */
  static final List<String> USR_LINKS = List.of("/bin", "/sbin", "/lib", "/lib64");
  /** The devices a tree's package scripts get beside a host tool: those of {@link #in}'s /dev but tty's pts. */
  static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");

  private final CommandRunner runner;
  private final UserNamespaceFiles namespaceFiles;

  public Sandbox(CommandRunner runner, UserNamespaceFiles namespaceFiles) {
    this.runner = runner;
    this.namespaceFiles = namespaceFiles;
  }

  /** Runs {@code command} (its arguments as they run inside) in the sandbox over {@code root}. */
  public CommandResult run(Path root, Command command) {
    try (UserNamespace namespace = UserNamespace.open(runner, namespaceFiles, command.timeout())) {
      return runner.run(inside(namespace, root, command));
    }
  }

  /** As {@link CommandRunner#pipe}, in the sandbox over {@code root}. */
  public void pipe(Path root, Command command, InputStream stdin, OutputStream stdout) {
    try (UserNamespace namespace = UserNamespace.open(runner, namespaceFiles, command.timeout())) {
      runner.pipe(inside(namespace, root, command), stdin, stdout);
    }
  }

  /**
   * Runs {@code command}, a tool of the host's that works on {@code tree} from outside (mmdebstrap, which
   * chroots into the tree for dpkg and the package scripts), in the same kind of sandbox: a user namespace
   * of its own, the same capabilities (none that counts on the host, no CAP_SYS_ADMIN: nothing can be
   * remounted), and a view of the host that holds only {@link #HOST_TOOLS} and {@code readOnly} (a keyring,
   * a file: mirror), read-only, /tmp a tmpfs, and the tree, writable, at its own path, with its own /proc
   * and {@link #DEVICES} in it. A package script that leaves the chroot finds nothing more. The empty files
   * bubblewrap makes as the devices' mount points go afterwards.
   */
  public CommandResult runBeside(Path tree, List<Path> readOnly, Command command) {
    try (UserNamespace namespace = UserNamespace.open(runner, namespaceFiles, command.timeout())) {
      return runner.run(new Command(namespace.enter(beside(tree, readOnly, command.args())), command.env(),
          command.timeout(), command.okExitCodes()));
    } finally {
      removeDeviceMountPoints(tree);
    }
  }

  private static Command inside(UserNamespace namespace, Path root, Command command) {
    return new Command(namespace.enter(in(root, command.args())), command.env(), command.timeout(),
        command.okExitCodes());
  }

  /** bubblewrap's arguments for {@code command} inside {@code root} (its mounts included, e.g. the package pool). */
  static List<String> in(Path root, List<String> command) {
    List<String> args = new ArrayList<>(List.of("bwrap",
        "--bind", root.toString(), "/",
        "--proc", "/proc",
        // root needs no capability to write a sysctl (kernel.core_pattern runs a program on the host)
        "--ro-bind", "/proc/sys", "/proc/sys",
        "--ro-bind-try", "/proc/sysrq-trigger", "/proc/sysrq-trigger",
        "--ro-bind-try", "/proc/fs", "/proc/fs",
        // as Docker's read-only paths: IRQ affinities and bus settings are root's files, not a capability's
        "--ro-bind-try", "/proc/irq", "/proc/irq",
        "--ro-bind-try", "/proc/bus", "/proc/bus",
        "--dev", "/dev",
        "--tmpfs", "/sys"));
    return isolated(args, command);
  }

  /** bubblewrap's arguments for {@code command}, a host tool, beside {@code tree} (see {@link #runBeside}). */
  static List<String> beside(Path tree, List<Path> readOnly, List<String> command) {
    List<String> args = new ArrayList<>(List.of("bwrap"));
    for (String dir : USR_LINKS) {
      Path path = Path.of(dir);
      if (Files.isSymbolicLink(path)) {
        args.addAll(List.of("--symlink", readLink(path), dir));
      } else {
        args.addAll(List.of("--ro-bind-try", dir, dir));
      }
    }
    for (String file : HOST_TOOLS) {
      args.addAll(List.of("--ro-bind-try", file, file));
    }
    for (Path path : readOnly) {
      args.addAll(List.of("--ro-bind", path.toString(), path.toString()));
    }
    String root = tree.toAbsolutePath().toString();
    args.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
        "--bind", root, root,
        "--proc", root + "/proc"));
    for (String device : DEVICES) {
      args.addAll(List.of("--dev-bind", "/dev/" + device, root + "/dev/" + device));
    }
    return isolated(args, command);
  }

  /**
   * The rest of both sandboxes' arguments: their own pid, IPC and UTS namespaces, gone with their parent,
   * no terminal to inject into, only {@link #CAPABILITIES}; then {@code command}.
   */
  private static List<String> isolated(List<String> args, List<String> command) {
    args.addAll(List.of("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--new-session",
        "--cap-drop", "ALL"));
    for (String capability : CAPABILITIES) {
      args.addAll(List.of("--cap-add", capability));
    }
    args.add("--");
    args.addAll(command);
    return args;
  }

  private static String readLink(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The empty regular files bubblewrap left where it mounted {@link #DEVICES}; a real device node stays. */
  static void removeDeviceMountPoints(Path tree) {
    for (String device : DEVICES) {
      Path file = tree.resolve("dev").resolve(device);
      try {
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) == 0) {
          Files.delete(file);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("could not remove " + file, e);
      }
    }
  }

  static List<String> in(Path root, String... command) {
    return in(root, List.of(command));
  }
}

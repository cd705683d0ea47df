package org.imagefoundry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.imagefoundry.host.Command;
import org.imagefoundry.host.CommandFailedException;
import org.imagefoundry.host.CommandResult;
import org.imagefoundry.host.CommandRunner;
import org.imagefoundry.host.MountTable;
import org.imagefoundry.host.RunningCommand;
import org.imagefoundry.host.UserNamespaceFiles;

/**
 * A recording command runner that also plays the kernel: it keeps a loop device table and a mount
 * table as losetup, mount and umount would change them, remembers what mkfs made, answers blkid and
 * dumpe2fs, lets mmdebstrap (in its sandbox) leave a tiny tree, and copies data through compressors unchanged. Commands
 * it starts (namespace holders) get a pid and live until closed; a started command that is made to fail
 * ends at once. Their user namespaces' id maps are kept as written. Any command can be made to fail; a
 * command entered into a namespace ({@code nsenter ... --}) is matched by what it runs there too.
 */
public class FakeHost implements CommandRunner, MountTable, UserNamespaceFiles {

  private final List<List<String>> commands = new CopyOnWriteArrayList<>();
  private final List<Command> ran = new CopyOnWriteArrayList<>();
  private final Map<String, Path> loops = new HashMap<>();
  private final Map<String, String> formats = new HashMap<>();
  private final List<Path> mounts = new ArrayList<>();
  private final List<Failure> failures = new ArrayList<>();
  private int nextLoop = 0;
  private final List<List<String>> started = new CopyOnWriteArrayList<>();
  private final Map<Long, Boolean> alive = new HashMap<>();
  private final Map<Long, List<String>> idMaps = new HashMap<>();
  private long nextPid = 40_000;
  private static final java.util.Set<String> COMPRESSORS = java.util.Set.of("igzip", "zstd", "xz");
  private final List<Long> blockCounts = new ArrayList<>(List.of(1000L));

  private record Failure(Predicate<List<String>> when, int exitCode, List<String> output, int[] remaining) {}

  /** Makes the next {@code times} commands starting with {@code prefix} fail with this exit code and output. */
  public synchronized FakeHost failOn(List<String> prefix, int exitCode, int times, String... output) {
    failures.add(new Failure(args -> startsWith(args, prefix) || startsWith(entered(args), prefix),
        exitCode, List.of(output), new int[] {times}));
    return this;
  }

  /** Makes dumpe2fs answer these block counts one after another (as resize2fs passes shrink), then the last one. */
  public synchronized FakeHost blockCounts(Long... counts) {
    blockCounts.clear();
    blockCounts.addAll(List.of(counts));
    return this;
  }

  private static boolean startsWith(List<String> args, List<String> prefix) {
    return args.size() >= prefix.size() && args.subList(0, prefix.size()).equals(prefix);
  }

  /** What a command entered into a namespace runs there: what follows {@code nsenter ... --}; else itself. */
  public static List<String> entered(List<String> args) {
    if (args.get(0).equals("nsenter") && args.indexOf("--") >= 0 && args.indexOf("--") < args.size() - 1) {
      return args.subList(args.indexOf("--") + 1, args.size());
    }
    return args;
  }

  public List<List<String>> commands() {
    return List.copyOf(commands);
  }

  /** The commands run, whole: with their environment, time limit and exit codes. */
  public List<Command> ran() {
    return List.copyOf(ran);
  }

  /** The commands run as {@code program}, or run as {@code program} inside a namespace they were entered into. */
  public List<List<String>> commands(String program) {
    return commands.stream().filter(c -> c.get(0).equals(program) || entered(c).get(0).equals(program)
        || innermost(c).get(0).equals(program)).toList();
  }

  /** What a command runs at last: inside its namespace ({@link #entered}) and past bubblewrap's {@code --}. */
  public static List<String> innermost(List<String> args) {
    List<String> entered = entered(args);
    if (entered.get(0).equals("bwrap") && entered.indexOf("--") >= 0 && entered.indexOf("--") < entered.size() - 1) {
      return entered.subList(entered.indexOf("--") + 1, entered.size());
    }
    return entered;
  }

  /** Every command, as it runs inside the namespace it was entered into (see {@link #entered}). */
  public List<List<String>> commandsEntered() {
    return commands.stream().map(FakeHost::entered).toList();
  }

  /** The commands started to run beside others, in order. */
  public List<List<String>> started() {
    return List.copyOf(started);
  }

  /** The pids of started commands that still run: neither closed nor ended at once. */
  public synchronized List<Long> running() {
    return alive.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).sorted().toList();
  }

  /** The uid_map and gid_map written for each process, by pid. */
  public synchronized Map<Long, List<String>> idMaps() {
    return Map.copyOf(idMaps);
  }

  @Override
  public synchronized RunningCommand start(Command command) {
    started.add(command.args());
    long pid = nextPid++;
    boolean failing = false;
    for (Failure failure : failures) {
      if (failure.remaining()[0] > 0 && failure.when().test(command.args())) {
        failure.remaining()[0]--;
        failing = true;
        break;
      }
    }
    alive.put(pid, !failing);
    return new RunningCommand() {
      @Override
      public long pid() {
        return pid;
      }

      @Override
      public boolean isAlive() {
        synchronized (FakeHost.this) {
          return alive.get(pid);
        }
      }

      @Override
      public void close() {
        synchronized (FakeHost.this) {
          alive.put(pid, false);
        }
      }
    };
  }

  /** A started command has its own user namespace while it runs (as unshare --user would). */
  @Override
  public synchronized boolean inAnotherUserNamespace(long pid) {
    return alive.getOrDefault(pid, false);
  }

  @Override
  public synchronized void writeIdMaps(long pid, String uidMap, String gidMap) {
    if (!alive.getOrDefault(pid, false)) {
      throw new IllegalStateException("no process " + pid + " to write id maps for");
    }
    if (idMaps.putIfAbsent(pid, List.of(uidMap, gidMap)) != null) {
      throw new IllegalStateException("the id maps of " + pid + " are written already");
    }
  }

  @Override
  public String userNamespace(long pid) {
    return "/proc/" + pid + "/ns/user";
  }

  public synchronized Map<String, Path> loopDevices() {
    return Map.copyOf(loops);
  }

  public synchronized void reset() {
    commands.clear();
    ran.clear();
    loops.clear();
    formats.clear();
    mounts.clear();
    failures.clear();
    nextLoop = 0;
    started.clear();
    alive.clear();
    idMaps.clear();
  }

  /** What a service's restart does now: its mount namespace dies with it, the loop devices stay attached. */
  public synchronized void forgetMounts() {
    mounts.clear();
  }

  @Override
  public synchronized List<Path> mountPoints() {
    return List.copyOf(mounts);
  }

  @Override
  public synchronized CommandResult run(Command command) {
    List<String> args = command.args();
    commands.add(args);
    ran.add(command);
    CommandResult ruled = ruled(command);
    return ruled != null ? ruled : new CommandResult(0, play(args));
  }

  /** The result a {@link #failOn} rule gives the command (throwing unless its exit code is ok), or null. */
  private CommandResult ruled(Command command) {
    for (Failure failure : failures) {
      if (failure.remaining()[0] > 0 && failure.when().test(command.args())) {
        failure.remaining()[0]--;
        var result = new CommandResult(failure.exitCode(), failure.output());
        if (command.okExitCodes().contains(failure.exitCode())) {
          return result;
        }
        throw CommandFailedException.exited(command, result);
      }
    }
    return null;
  }

  @Override
  public void pipe(Command command, InputStream stdin, OutputStream stdout) {
    CommandResult ruled;
    synchronized (this) {
      commands.add(command.args());
      ruled = ruled(command);
      if (ruled == null) {
        play(command.args());
      }
    }
    try {
      // a failOn rule's output (with an ok exit code) is the command's standard output, before what it was fed
      for (String line : ruled == null ? List.<String>of() : ruled.lines()) {
        stdout.write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      stdin.transferTo(stdout);
      Path file = Path.of(command.args().get(command.args().size() - 1));
      if (COMPRESSORS.contains(command.program()) && file.isAbsolute() && Files.isRegularFile(file)) {
        Files.copy(file, stdout); // a compressor given the file to read
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<String> play(List<String> args) {
    if (innermost(args).get(0).equals("mmdebstrap")) {
      List<String> bootstrap = innermost(args);
      Path target = Path.of(bootstrap.get(bootstrap.size() - 2));
      if (!target.isAbsolute()) {
        throw new IllegalArgumentException("mmdebstrap's target must be an absolute path: " + bootstrap);
      }
      debootstrap(target);
      return List.of();
    }
    String program = args.get(0);
    String last = args.get(args.size() - 1);
    switch (program) {
      case "losetup" -> {
        if (args.contains("--find")) {
          String device = "/dev/loop" + nextLoop++;
          loops.put(device, Path.of(last));
          return List.of(device);
        }
        if (args.contains("--associated")) {
          return loops.entrySet().stream().filter(e -> e.getValue().equals(Path.of(last))).map(Map.Entry::getKey).toList();
        }
        if (args.contains("--detach")) {
          loops.remove(last);
        }
      }
      case "mount" -> {
        if (!args.contains("--make-private")) {
          mounts.add(Path.of(last));
          if (last.endsWith("/disk")) {
            bootFiles(Path.of(last)); // a disk's root filesystem, copied from the image, holds its kernel
          }
        }
      }
      case "qemu-img" -> resize(Path.of(last), 0);
      case "cp" -> {
        if (args.contains("--archive")) {
          copyTree(Path.of(args.get(args.size() - 2)), Path.of(last));
        }
      }
      case "umount" -> mounts.remove(mounts.lastIndexOf(Path.of(last)));
      case "blkid" -> {
        if (args.contains("UUID")) {
          return List.of("uuid-" + last.substring(last.lastIndexOf('/') + 1));
        }
        return formats.containsKey(last) ? List.of(formats.get(last)) : List.of();
      }
      case "dumpe2fs" -> {
        long blocks = blockCounts.size() > 1 ? blockCounts.remove(0) : blockCounts.get(0);
        return List.of("Block count:              " + blocks, "Block size:               4096");
      }
      case "truncate" -> resize(Path.of(last), Long.parseLong(args.get(args.indexOf("--size") + 1)));
      default -> {
        if (program.startsWith("mkfs.")) {
          formats.put(last, program.substring("mkfs.".length()));
        }
      }
    }
    return List.of();
  }

  private static void resize(Path file, long size) {
    try (var raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(size);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void bootFiles(Path root) {
    try {
      Files.createDirectories(root.resolve("boot"));
      Files.writeString(root.resolve("boot/vmlinuz-6.1.0-test-amd64"), "kernel");
      Files.writeString(root.resolve("boot/initrd.img-6.1.0-test-amd64"), "initramfs");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copyTree(Path from, Path to) {
    try (var files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path copy = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(copy);
        } else {
          Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The dpkg status of the archive's usr-is-merged, as a bootstrap with /usr merged leaves it. */
  public static final String USR_IS_MERGED_STATUS = """
      Package: base-files
      Status: install ok installed
      Version: 12.4+deb12u11

      Package: usr-is-merged
      Status: install ok installed
      Priority: optional
      Multi-Arch: foreign
      Source: usrmerge
      Version: 37~deb12u1
      Description: Transitional package to assert a merged-/usr system
       This package can be successfully installed only on merged-/usr systems.

      """;

  private static void debootstrap(Path root) {
    try {
      Files.createDirectories(root.resolve("etc"));
      Files.writeString(root.resolve("etc/os-release"), "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n");
      Files.writeString(root.resolve("etc/debian_version"), "12.11\n");
      Files.writeString(root.resolve("etc/shadow"), "root:*:20000:0:99999:7:::\ndaemon:*:20000:0:99999:7:::\n");
      Files.writeString(root.resolve("etc/machine-id"), "0123456789abcdef0123456789abcdef\n");
      Files.createDirectories(root.resolve("var/lib/dpkg"));
      Files.writeString(root.resolve("var/lib/dpkg/status"), USR_IS_MERGED_STATUS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

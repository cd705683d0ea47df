package org.imagefoundry.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Whether an image file's filesystem still lives anywhere on the host, read from the kernel: a loop
 * device still bound to the file ({@code /sys/block/loopN/loop/backing_file}; {@code losetup --detach}
 * of a busy device only sets autoclear), a mount of that device in any process's
 * {@code /proc/PID/mountinfo} (any mount namespace), a {@code /sys/fs/<type>/loopN} entry. Another
 * mount namespace that copied the build's mounts keeps the filesystem alive, with its last writes not
 * yet in the file, after the build's own {@code umount}: nothing may read or change the file before it
 * is dead everywhere.
 */
@Component
public class LiveFilesystems {

  private static final Duration POLL = Duration.ofMillis(250);
  private static final int HOLDERS_NAMED = 10;

  private final Path proc;
  private final Path sys;
  private final Duration wait;

  @Autowired
  public LiveFilesystems(FoundrySettings settings) {
    this(Path.of("/proc"), Path.of("/sys"), settings.timeouts().filesystemRelease());
  }

  LiveFilesystems(Path proc, Path sys, Duration wait) {
    this.proc = proc;
    this.sys = sys;
    this.wait = wait;
  }

  /** A filesystem still alive: the loop device bound to its image file, and what holds it. */
  public record Alive(Path image, String device, String majorMinor, boolean autoclear, List<Holder> holders,
      List<Path> sysfsEntries) {

    public String describe() {
      var text = new StringBuilder(image.toString()).append(" is still bound to /dev/").append(device)
          .append(" (").append(majorMinor).append(autoclear ? ", autoclear set" : "").append(")");
      if (holders.isEmpty()) {
        text.append(", mounted in no process's mountinfo (a mount namespace kept without processes, through a bind-mounted"
            + " or open /proc/PID/ns/mnt, or an open file descriptor holds it)");
      } else {
        text.append(", mounted in the mount namespace of ").append(holders.stream().limit(HOLDERS_NAMED)
            .map(Holder::toString).collect(Collectors.joining(", ")));
        if (holders.size() > HOLDERS_NAMED) {
          text.append(" and ").append(holders.size() - HOLDERS_NAMED).append(" more");
        }
      }
      sysfsEntries.forEach(entry -> text.append("; ").append(entry).append(" exists"));
      return text.toString();
    }
  }

  /** A process whose mount namespace holds the filesystem. */
  public record Holder(long pid, String command) {
    @Override
    public String toString() {
      return "pid " + pid + " (" + command + ")";
    }
  }

  /**
   * Returns once none of the images' filesystems is alive; polls for {@code image-foundry.timeouts.filesystem-release},
   * then fails naming the processes that hold them, so the step is retried and then becomes an incident.
   */
  public void awaitDead(List<Path> images) {
    List<Alive> alive = find(images);
    if (alive.isEmpty()) {
      return;
    }
    Instant started = Instant.now();
    BuildLog.warn("waiting up to {} for filesystems still alive elsewhere: {}", wait, describe(alive));
    Instant deadline = started.plus(wait);
    while (!alive.isEmpty() && Instant.now().isBefore(deadline)) {
      sleep();
      alive = find(images);
    }
    if (!alive.isEmpty()) {
      throw new IllegalStateException("after " + wait + " the image's filesystem still lives in another mount namespace,"
          + " which may still write to it: " + describe(alive)
          + ". Once those processes have ended (or been stopped), retry the step");
    }
    BuildLog.info("the filesystems were released after {} ms", Duration.between(started, Instant.now()).toMillis());
  }

  /** The images whose filesystem is alive now. */
  public List<Alive> find(List<Path> images) {
    List<Alive> alive = new ArrayList<>();
    for (Path image : images) {
      Path wanted = image.toAbsolutePath().normalize();
      for (Path block : loopDevices()) {
        backingFile(block).filter(wanted::equals).ifPresent(file -> alive.add(alive(wanted, block)));
      }
    }
    return alive;
  }

  private Alive alive(Path image, Path block) {
    String device = block.getFileName().toString();
    String majorMinor = read(block.resolve("dev")).orElse("?").trim();
    boolean autoclear = read(block.resolve("loop/autoclear")).map(String::trim).filter("1"::equals).isPresent();
    return new Alive(image, device, majorMinor, autoclear, holders(majorMinor), sysfsEntries(device));
  }

  private List<Path> loopDevices() {
    try (Stream<Path> devices = Files.list(sys.resolve("block"))) {
      return devices.filter(d -> d.getFileName().toString().matches("loop\\d+")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The file a loop device is bound to; empty once it is really unbound. */
  private static Optional<Path> backingFile(Path block) {
    return read(block.resolve("loop/backing_file")).map(String::trim).filter(s -> !s.isEmpty())
        .map(s -> s.endsWith(" (deleted)") ? s.substring(0, s.length() - " (deleted)".length()) : s)
        .map(s -> Path.of(s).normalize());
  }

  /** Processes whose mountinfo has a mount of the device (third field: major:minor). */
  private List<Holder> holders(String majorMinor) {
    List<Holder> holders = new ArrayList<>();
    for (Path process : processes()) {
      Optional<String> mountinfo = read(process.resolve("mountinfo"));
      if (mountinfo.isPresent() && mountinfo.get().lines().anyMatch(line -> mountsDevice(line, majorMinor))) {
        holders.add(new Holder(Long.parseLong(process.getFileName().toString()), command(process)));
      }
    }
    return holders;
  }

  static boolean mountsDevice(String mountinfoLine, String majorMinor) {
    String[] fields = mountinfoLine.split(" ");
    return fields.length > 2 && fields[2].equals(majorMinor);
  }

  private List<Path> processes() {
    try (Stream<Path> entries = Files.list(proc)) {
      return entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .sorted((a, b) -> Long.compare(Long.parseLong(a.getFileName().toString()),
              Long.parseLong(b.getFileName().toString())))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String command(Path process) {
    String cmdline = read(process.resolve("cmdline")).orElse("").replace('\0', ' ').trim();
    return cmdline.isEmpty() ? "[" + read(process.resolve("comm")).orElse("?").trim() + "]" : cmdline;
  }

  /** What the filesystem drivers keep per mounted device, such as /sys/fs/ext4/loop3. */
  private List<Path> sysfsEntries(String device) {
    try (Stream<Path> types = Files.list(sys.resolve("fs"))) {
      return types.map(type -> type.resolve(device)).filter(Files::exists).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static String describe(List<Alive> alive) {
    return alive.stream().map(Alive::describe).collect(Collectors.joining("; "));
  }

  /** A file's text, or empty when it is not there (a process that ended, a device that was unbound). */
  private static Optional<String> read(Path file) {
    try {
      return Optional.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for filesystems to be released", e);
    }
  }
}

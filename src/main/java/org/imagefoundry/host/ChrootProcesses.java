package org.imagefoundry.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * Processes of a build: those whose root is inside its chroot (daemons a package started, the usual
 * cause of "umount: target is busy") and those carrying its tag in their environment (debootstrap or
 * apt left running by a service that crashed).
 */
@Component
public class ChrootProcesses {

  private static final Path PROC = Path.of("/proc");
  private static final int TERM_ROUNDS = 10;

  /** Up to ten rounds of SIGTERM, then SIGKILL; returns how many processes were found. */
  public int stop(Workspace workspace) {
    List<ProcessHandle> found = find(workspace);
    for (int round = 0; round < TERM_ROUNDS && !found.isEmpty(); round++) {
      BuildLog.info("stopping {} process(es) of the build: {}", found.size(), found.stream().map(ProcessHandle::pid).toList());
      found.forEach(ProcessHandle::destroy);
      sleep(200);
      found = find(workspace);
    }
    found.forEach(ProcessHandle::destroyForcibly);
    if (!found.isEmpty()) {
      sleep(200);
    }
    return found.size();
  }

  /**
   * Kills every command a previous life of this service left running (they carry a build's tag and
   * are not ours: a starting service has no children yet), before anything else starts, so they stop
   * competing with the restart and never run beside their step's next attempt. One node per host.
   */
  public static int stopOrphans() {
    String tag = BuildLog.PROCESS_TAG + "=";
    long self = ProcessHandle.current().pid();
    try (Stream<Path> entries = Files.list(PROC)) {
      List<ProcessHandle> orphans = entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(p -> Long.parseLong(p.getFileName().toString()) != self)
          .filter(p -> carriesTagPrefix(p, tag))
          .map(p -> ProcessHandle.of(Long.parseLong(p.getFileName().toString())))
          .flatMap(java.util.Optional::stream)
          .toList();
      orphans.forEach(ProcessHandle::destroyForcibly);
      return orphans.size();
    } catch (IOException e) {
      return 0;
    }
  }

  private static boolean carriesTagPrefix(Path process, String prefix) {
    try {
      String environ = new String(Files.readAllBytes(process.resolve("environ")), StandardCharsets.UTF_8);
      return List.of(environ.split("\0")).stream().anyMatch(variable -> variable.startsWith(prefix));
    } catch (IOException e) {
      return false;
    }
  }

  public List<ProcessHandle> find(Workspace workspace) {
    Path root = canonical(workspace.dir());
    String tag = BuildLog.PROCESS_TAG + "=" + workspace.buildId();
    long self = ProcessHandle.current().pid();
    try (Stream<Path> entries = Files.list(PROC)) {
      return entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(p -> Long.parseLong(p.getFileName().toString()) != self)
          .filter(p -> rootInside(p, root) || carriesTag(p, tag))
          .map(p -> ProcessHandle.of(Long.parseLong(p.getFileName().toString())))
          .flatMap(java.util.Optional::stream)
          .toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static boolean rootInside(Path process, Path root) {
    try {
      return Files.readSymbolicLink(process.resolve("root")).startsWith(root);
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static boolean carriesTag(Path process, String tag) {
    try {
      String environ = new String(Files.readAllBytes(process.resolve("environ")), StandardCharsets.UTF_8);
      return List.of(environ.split("\0")).contains(tag);
    } catch (IOException e) {
      return false;
    }
  }

  private static Path canonical(Path path) {
    try {
      return path.toRealPath();
    } catch (IOException e) {
      return path.toAbsolutePath().normalize();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package org.imagefoundry.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
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

  /** This node's name: a command tagged with another node's runs a part of the same build elsewhere. */
  private final String node;

  /** Outside a node (tests, tools): every process tagged with the build is its. */
  public ChrootProcesses() {
    this((String) null);
  }

  @org.springframework.beans.factory.annotation.Autowired
  public ChrootProcesses(org.imagefoundry.settings.FoundrySettings settings) {
    this(settings.node());
  }

  ChrootProcesses(String node) {
    this.node = node;
  }

  /** Up to ten rounds of SIGTERM, then SIGKILL; returns how many processes there were to stop. */
  public int stop(Workspace workspace) {
    List<ProcessHandle> found = find(workspace);
    int stopped = found.size();
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
    return stopped;
  }

  /**
   * Kills every command a previous life of this node left running (they carry a build's tag and this
   * node's name, and are not ours: a starting service has no children yet), before its job executor
   * starts, so they stop competing with the restart and never run beside their step's next attempt.
   * Another node's commands on the same host carry its name and are left alone.
   */
  public static int stopOrphans(String node) {
    String nodeTag = BuildLog.NODE_TAG + "=" + node;
    List<ProcessHandle> orphans = processes(p -> {
      List<String> environment = environment(p);
      return environment.contains(nodeTag)
          && environment.stream().anyMatch(variable -> variable.startsWith(BuildLog.PROCESS_TAG + "="));
    });
    orphans.forEach(ProcessHandle::destroyForcibly);
    return orphans.size();
  }

  /**
   * Rooted in the workspace, or tagged with the build and not with another node: an evacuated build's
   * leftovers on this node are released while the same build runs on another node of the same host.
   */
  public List<ProcessHandle> find(Workspace workspace) {
    Path root = canonical(workspace.dir());
    String tag = BuildLog.PROCESS_TAG + "=" + workspace.buildId();
    return processes(p -> rootInside(p, root) || ours(environment(p), tag));
  }

  private boolean ours(List<String> environment, String buildTag) {
    if (!environment.contains(buildTag)) {
      return false;
    }
    String nodePrefix = BuildLog.NODE_TAG + "=";
    return node == null || environment.stream().filter(variable -> variable.startsWith(nodePrefix))
        .allMatch(variable -> variable.equals(nodePrefix + node));
  }

  /** The processes (but this one) whose /proc entry matches. */
  private static List<ProcessHandle> processes(Predicate<Path> matching) {
    long self = ProcessHandle.current().pid();
    try (Stream<Path> entries = Files.list(PROC)) {
      return entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(p -> Long.parseLong(p.getFileName().toString()) != self)
          .filter(matching)
          .map(p -> ProcessHandle.of(Long.parseLong(p.getFileName().toString())))
          .flatMap(Optional::stream)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> environment(Path process) {
    try {
      return List.of(new String(Files.readAllBytes(process.resolve("environ")), StandardCharsets.UTF_8).split("\0"));
    } catch (IOException e) {
      return List.of();
    }
  }

  private static boolean rootInside(Path process, Path root) {
    try {
      return Files.readSymbolicLink(process.resolve("root")).startsWith(root);
    } catch (IOException | UnsupportedOperationException e) {
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

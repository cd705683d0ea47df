package org.imagefoundry.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * Everything a build holds on this host, found by name: work beside it (waited for first), processes
 * tagged with its id or rooted in its chroot, mounts under its workspace, loop devices of its image files, half-written outputs, the
 * workspace. {@link #release} frees all of it; every part runs even when another fails.
 */
@Component
public class BuildResources {

  private final ChrootProcesses processes;
  private final Mounts mounts;
  private final LoopDevices loopDevices;
  private final SparseFiles sparseFiles;
  private final Workspaces workspaces;
  private final BesideTasks beside;

  public BuildResources(ChrootProcesses processes, Mounts mounts, LoopDevices loopDevices, SparseFiles sparseFiles,
      Workspaces workspaces, BesideTasks beside) {
    this.beside = beside;
    this.processes = processes;
    this.mounts = mounts;
    this.loopDevices = loopDevices;
    this.sparseFiles = sparseFiles;
    this.workspaces = workspaces;
  }

  /** Releases everything; then throws the first failure met, if any. {@code output} may be null. */
  public void release(Workspace workspace, Path output) {
    List<RuntimeException> failures = new ArrayList<>();
    attempt(failures, () -> beside.await(workspace.buildId()));
    attempt(failures, () -> processes.stop(workspace));
    attempt(failures, () -> mounts.unmountAll(workspace.dir()));
    for (Path file : sparseFiles.in(workspace)) {
      attempt(failures, () -> loopDevices.detach(file));
    }
    if (output != null) {
      attempt(failures, () -> removePartialOutputs(output, workspace.buildId()));
    }
    attempt(failures, () -> workspaces.remove(workspace));
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }

  private static void attempt(List<RuntimeException> failures, Runnable part) {
    try {
      part.run();
    } catch (RuntimeException e) {
      BuildLog.warn("releasing the build's resources: {}", e.getMessage());
      failures.add(e);
    }
  }

  private static void removePartialOutputs(Path output, String buildId) {
    if (!Files.isDirectory(output)) {
      return;
    }
    try (Stream<Path> files = Files.list(output)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith("." + buildId + ".partial")).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

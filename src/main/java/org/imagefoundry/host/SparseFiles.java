package org.imagefoundry.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/** The sparse files the images are built in. */
@Component
public class SparseFiles {

  private final CommandRunner runner;
  private final FoundrySettings settings;

  public SparseFiles(CommandRunner runner, FoundrySettings settings) {
    this.runner = runner;
    this.settings = settings;
  }

  public void create(Path file, long bytes) {
    runner.run(Command.of(settings.timeouts().command(), "truncate", "--size", Long.toString(bytes), file.toString()));
  }

  /** A copy that keeps the holes (a reflink where the filesystem has them, then no byte is copied). */
  public void copy(Path source, Path target) {
    runner.run(Command.of(settings.timeouts().publish(), "cp", "--sparse=always", "--reflink=auto", "--",
        source.toString(), target.toString()));
  }

  /** Every image file in the workspace, whether or not the request still names it. */
  public List<Path> in(Workspace workspace) {
    if (!Files.isDirectory(workspace.imagesDir())) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(workspace.imagesDir())) {
      return files.filter(f -> f.getFileName().toString().endsWith(".img")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package org.imagefoundry.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * {@code file:} repositories inside the chroot: each directory bind-mounted read-only at its own path,
 * so apt in the chroot reads the same sources.list the image keeps. The directories made in the image
 * to mount them on are written down in the workspace before they are made, and removed again once the
 * repositories are unmounted, so the image keeps no trace of them.
 */
@Component
public class LocalRepositories {

  static final String MADE_DIRECTORIES = "local-repository-dirs";

  private final Mounts mounts;

  public LocalRepositories(Mounts mounts) {
    this.mounts = mounts;
  }

  /** Mounts each directory (absolute, normalized); one inside another is reached through the outer one. */
  public void lend(Workspace workspace, List<Path> directories) {
    for (Path directory : outermost(directories)) {
      Path target = inChroot(workspace, directory);
      writeDown(workspace, missing(workspace.root(), target));
      mounts.bindReadOnly(realPath(directory), target);
    }
  }

  /** Unmounts them and removes the directories {@link #lend} made; safe to repeat. */
  public void withdraw(Workspace workspace, List<Path> directories) {
    for (Path directory : outermost(directories)) {
      mounts.unmountAll(inChroot(workspace, directory));
    }
    Path record = workspace.dir().resolve(MADE_DIRECTORIES);
    try {
      if (!Files.exists(record)) {
        return;
      }
      List<Path> made = Files.readAllLines(record).stream().map(Path::of)
          .sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
      for (Path directory : made) {
        if (directory.startsWith(workspace.root()) && !mounts.isMounted(directory)) {
          deleteIfEmpty(directory);
        }
      }
      Files.delete(record);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Path> outermost(List<Path> directories) {
    List<Path> sorted = directories.stream().distinct().sorted(Comparator.comparingInt(Path::getNameCount)).toList();
    List<Path> outermost = new ArrayList<>();
    for (Path directory : sorted) {
      if (outermost.stream().noneMatch(directory::startsWith)) {
        outermost.add(directory);
      }
    }
    return outermost;
  }

  static Path inChroot(Workspace workspace, Path directory) {
    Path target = workspace.root().resolve(directory.toString().substring(1)).normalize();
    if (!directory.isAbsolute() || !target.startsWith(workspace.root()) || target.equals(workspace.root())) {
      throw new IllegalArgumentException("not a repository directory: " + directory);
    }
    return target;
  }

  /**
   * The directories from the chroot's root down to {@code target} that do not exist yet, outermost
   * first. A symbolic link on the way is refused: mount would follow it, maybe out of the chroot.
   */
  private static List<Path> missing(Path root, Path target) {
    List<Path> missing = new ArrayList<>();
    for (Path path = target; !path.equals(root); path = path.getParent()) {
      if (Files.isSymbolicLink(path)) {
        throw new BuildFailure("cannot mount the file: repository on " + path + ": a symbolic link in the image");
      }
      if (!Files.exists(path)) {
        missing.add(0, path);
      }
    }
    return missing;
  }

  private static void writeDown(Workspace workspace, List<Path> directories) {
    if (directories.isEmpty()) {
      return;
    }
    StringBuilder lines = new StringBuilder();
    directories.forEach(directory -> lines.append(directory).append('\n'));
    try {
      Files.writeString(workspace.dir().resolve(MADE_DIRECTORIES), lines, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path realPath(Path directory) {
    try {
      return directory.toRealPath();
    } catch (IOException e) {
      throw new BuildFailure("the file: repository " + directory + " is not there: " + e.getMessage(), e);
    }
  }

  private static void deleteIfEmpty(Path directory) throws IOException {
    try {
      Files.deleteIfExists(directory);
    } catch (DirectoryNotEmptyException e) {
      // something was installed there: it belongs to the image now
    }
  }
}

package org.imagefoundry.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.regex.Pattern;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/** Maps a build id to its workspace under the build root, and creates and removes its directories. */
@Component
public class Workspaces {

  private static final Pattern BUILD_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");

  private final FoundrySettings settings;
  private final Mounts mounts;

  public Workspaces(FoundrySettings settings, Mounts mounts) {
    this.settings = settings;
    this.mounts = mounts;
  }

  public Workspace of(String buildId) {
    if (buildId == null || !BUILD_ID.matcher(buildId).matches()) {
      throw new IllegalArgumentException("not a build id: " + buildId);
    }
    return new Workspace(buildId, buildRoot().resolve(buildId));
  }

  /** The build root as the kernel's mount table names it: symbolic links resolved. */
  private Path buildRoot() {
    Path root = settings.buildRoot().toAbsolutePath().normalize();
    try {
      return Files.exists(root) ? root.toRealPath() : root;
    } catch (IOException e) {
      return root;
    }
  }

  public void create(Workspace workspace) {
    try {
      Files.createDirectories(workspace.root());
      Files.createDirectories(workspace.imagesDir());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Removes the chroot directory; refuses while anything is mounted under it. */
  public void removeRoot(Workspace workspace) {
    removeTree(workspace.root());
  }

  /** Removes the whole workspace; refuses while anything is mounted under it. */
  public void remove(Workspace workspace) {
    removeTree(workspace.dir());
  }

  private void removeTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    if (!mounts.under(dir).isEmpty()) {
      throw new IllegalStateException("not removing " + dir + ": still mounted there: " + mounts.under(dir));
    }
    try {
      Object device = Files.getAttribute(dir, "unix:dev");
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
          // never cross into another filesystem, whatever the mount table said a moment ago
          if (!Files.getAttribute(d, "unix:dev").equals(device)) {
            throw new IOException("refusing to delete across a mount point: " + d);
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException failure) throws IOException {
          if (failure != null) {
            throw failure;
          }
          Files.delete(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove " + dir, e);
    }
  }
}

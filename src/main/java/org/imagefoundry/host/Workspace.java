package org.imagefoundry.host;

import java.nio.file.Path;

/**
 * Where a build keeps what it acquires, all named from its id (DESIGN.md: resources are named, never
 * remembered): {@code <build-root>/<buildId>/root} is the chroot, {@code images/<n>.img} the sparse files.
 */
public record Workspace(String buildId, Path dir) {

  public Path root() {
    return dir.resolve("root");
  }

  public Path imagesDir() {
    return dir.resolve("images");
  }

  public Path imageFile(int index) {
    return imagesDir().resolve(index + ".img");
  }

  /** The directory in the chroot where the filesystem for {@code mount} ("/", "/var", ...) is mounted. */
  public Path mountPoint(String mount) {
    return "/".equals(mount) ? root() : root().resolve(mount.substring(1));
  }
}

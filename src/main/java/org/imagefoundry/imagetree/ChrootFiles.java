package org.imagefoundry.imagetree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files inside the image, written from the host. A path is refused when one of its components is a
 * symbolic link, so a link planted in the image can never make the host write outside the chroot.
 */
public final class ChrootFiles {

  private ChrootFiles() {}

  public static Path resolve(Path root, String relative) {
    Path path = root;
    for (Path part : Path.of(relative)) {
      path = path.resolve(part);
      if (Files.isSymbolicLink(path)) {
        throw new IllegalStateException("refusing to follow the symbolic link " + path + " inside the image");
      }
    }
    return path;
  }

  public static void write(Path root, String relative, String content) {
    Path file = resolve(root, relative);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void writeExecutable(Path root, String relative, String content) {
    write(root, relative, content);
    try {
      Files.setPosixFilePermissions(resolve(root, relative), PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void delete(Path root, String relative) {
    try {
      Files.deleteIfExists(resolve(root, relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Copies the regular files of the image's directory {@code relative} (not its subdirectories) into
   * {@code destination}, for a host tool to read there: links and special files are left behind, so the
   * image cannot make that tool read a file of the host (GRUB's modules for grub-mkimage).
   */
  public static void copyRegularFiles(Path root, String relative, Path destination) {
    Path dir = resolve(root, relative);
    try (var entries = Files.list(dir)) {
      Files.createDirectories(destination);
      for (Path file : entries.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList()) {
        Files.copy(file, destination.resolve(file.getFileName()), LinkOption.NOFOLLOW_LINKS,
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not copy " + relative + " out of the image", e);
    }
  }

  public static boolean exists(Path root, String relative) {
    return Files.exists(resolve(root, relative), LinkOption.NOFOLLOW_LINKS);
  }
}

package org.imagefoundry.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Whether a path lies inside one of a set of directories once symbolic links are followed. */
public final class AllowedRoots {

  private AllowedRoots() {}

  public static boolean contains(List<Path> roots, Path path) {
    Path resolved = resolveExisting(path);
    return roots.stream().map(AllowedRoots::resolveExisting).anyMatch(resolved::startsWith);
  }

  /** The real path of the longest existing prefix, with the rest appended. */
  public static Path resolveExisting(Path path) {
    Path existing = path.toAbsolutePath().normalize();
    Path rest = Path.of("");
    while (existing != null && !Files.exists(existing)) {
      rest = existing.getFileName().resolve(rest);
      existing = existing.getParent();
    }
    if (existing == null) {
      return path.toAbsolutePath().normalize();
    }
    try {
      return existing.toRealPath().resolve(rest).normalize();
    } catch (IOException e) {
      return path.toAbsolutePath().normalize();
    }
  }
}

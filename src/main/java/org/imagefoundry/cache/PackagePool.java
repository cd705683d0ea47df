package org.imagefoundry.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.imagefoundry.FoundrySettings;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.Workspace;
import org.springframework.stereotype.Component;

/**
 * The .deb files apt downloaded, shared across builds ({@code <data-dir>/cache/packages}). Each build gets
 * its own archives directory in its workspace, filled with hard links from the pool and bind-mounted
 * at the chroot's /var/cache/apt/archives, so concurrent builds never contend for apt's lock and the
 * packages never end up in an image; what a build downloaded goes back into the pool.
 */
@Component
public class PackagePool {

  private final FoundrySettings settings;

  public PackagePool(FoundrySettings settings) {
    this.settings = settings;
  }

  public Path dir() {
    return settings.dataDir().resolve("cache").resolve("packages");
  }

  public static Path archives(Workspace workspace) {
    return workspace.dir().resolve("apt-archives");
  }

  /** The build's archives directory, holding every package of the pool. */
  public Path lend(Workspace workspace) {
    Path archives = archives(workspace);
    try {
      Files.createDirectories(archives.resolve("partial"));
      if (!settings.cache().enabled()) {
        return archives;
      }
      for (Path deb : debs(dir())) {
        link(deb, archives.resolve(deb.getFileName()));
      }
      return archives;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds the packages the build downloaded to the pool, then trims the pool to its size limit. */
  public void collect(Workspace workspace) {
    if (!settings.cache().enabled()) {
      return;
    }
    try {
      Files.createDirectories(dir());
      int added = 0;
      for (Path deb : debs(archives(workspace))) {
        Path pooled = dir().resolve(deb.getFileName());
        if (!Files.exists(pooled)) {
          Path partial = dir().resolve("." + deb.getFileName() + "." + workspace.buildId() + ".partial");
          link(deb, partial);
          Files.move(partial, pooled, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          added++;
        }
      }
      BuildLog.info("{} package(s) added to the shared package pool", added);
      trim();
    } catch (IOException e) {
      BuildLog.warn("could not add packages to the pool: {}", e.getMessage());
    }
  }

  private void trim() throws IOException {
    List<Path> debs = debs(dir()).stream().sorted(Comparator.comparing(PackagePool::modified)).toList();
    long total = 0;
    for (Path deb : debs) {
      total += Files.size(deb);
    }
    for (Path deb : debs) {
      if (total <= settings.cache().maxPackagesSize().toBytes()) {
        break;
      }
      total -= Files.size(deb);
      Files.deleteIfExists(deb);
    }
  }

  /** A hard link where both sides share a filesystem, a copy where they do not. */
  private static void link(Path source, Path target) throws IOException {
    try {
      Files.createLink(target, source);
    } catch (FileAlreadyExistsException e) {
      // already lent
    } catch (IOException | UnsupportedOperationException e) {
      Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static List<Path> debs(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".deb") && Files.isRegularFile(f)).toList();
    }
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }
}

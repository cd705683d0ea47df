package org.imagefoundry.cache;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.imagetree.ChrootFiles;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/**
 * apt's source cache ({@code /var/cache/apt/srcpkgcache.bin}: the package lists as apt parsed them), kept
 * for the lists pool's generations ({@code <data-dir>/cache/apt-caches/<apt configuration>/<lists' Release
 * files>}, the keys of {@link AptListsPool}). A build lent a current generation of the lists otherwise has
 * apt parse them again in its first command: for bookworm's main (50 MB) 0.28 s here, against 0.05 s to
 * merge dpkg's status into a source cache it is lent.
 *
 * <p>apt checks a cache before it uses one (its own version, the architectures, and each list's path, size
 * and time) and parses the lists anew when it does not fit: a cache that does not fit costs what no cache
 * does. A cache is taken from a chroot after the first apt command of a build that was lent current
 * lists, before that build's packages are installed, and only one apt wrote then: the step removes apt's
 * caches from the chroot first ({@link #clear}), so none that a package script of an earlier attempt left
 * is ever kept (no process of an earlier attempt runs by then). The chroot's apt came from the repos of
 * the apt configuration the entry's key names, so a build lent the entry installs from the same repos.
 * Only a regular file is read, on a path without links ({@link ChrootFiles}), up to {@link #MAX_SIZE}, and
 * a copy is written into a chroot, never a link. Like the lists, the entries do not count against {@code max-size}; a new one makes
 * the older ones of its configuration go.
 */
@Component
public class AptSourceCaches {

  static final String LAYER = "apt-caches";
  static final String FILE = "srcpkgcache.bin";
  static final long MAX_SIZE = 512L << 20;

  private final FoundrySettings settings;
  private final CacheStore store;

  public AptSourceCaches(FoundrySettings settings, CacheStore store) {
    this.settings = settings;
    this.store = store;
  }

  /**
   * Removes apt's binary caches from the chroot (never through a link): what a package script of an
   * earlier attempt may have left there is neither used by this attempt's apt nor kept.
   */
  public void clear(Path root) {
    Optional<Path> dir = cacheDir(root);
    try {
      if (dir.isPresent()) {
        // a planted link is removed itself: deleteIfExists never follows the last component
        Files.deleteIfExists(dir.get().resolve(FILE));
        Files.deleteIfExists(dir.get().resolve("pkgcache.bin"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove apt's caches from " + root, e);
    }
  }

  /** Copies the source cache kept for the chroot's lists into its apt cache directory; false when none is kept. */
  public boolean lend(Path root, String architecture, String buildId) {
    if (!settings.cache().enabled()) {
      return false;
    }
    try {
      Optional<Path> dir = cacheDir(root);
      if (dir.isEmpty()) {
        return false;
      }
      CacheKey key = key(root, architecture);
      Optional<Boolean> lent = store.read(key, buildId, Duration.ZERO, entry -> {
        Files.copy(entry.resolve(FILE), dir.get().resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
        return true;
      });
      if (lent.isPresent()) {
        BuildLog.info("apt's source cache of these lists lent: {}", key.digest());
      }
      return lent.isPresent();
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("could not lend apt's source cache: {}", e.getMessage());
      return false;
    }
  }

  /** Keeps the chroot's source cache for its lists, unless one is kept; best effort. */
  public void keep(Path root, String architecture, String buildId) {
    if (!settings.cache().enabled()) {
      return;
    }
    try {
      CacheKey key = key(root, architecture);
      Optional<Path> dir = cacheDir(root);
      if (store.contains(key) || dir.isEmpty() || !BoundedInput.isPlainFile(dir.get().resolve(FILE))) {
        return;
      }
      if (store.fill(key, buildId, Duration.ZERO, staging -> copyBounded(dir.get().resolve(FILE), staging.resolve(FILE)))) {
        store.keys(key.layer()).filter(older -> !older.digest().equals(key.digest()))
            .forEach(older -> store.remove(older, buildId));
      }
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("could not keep apt's source cache: {}", e.getMessage());
    }
  }

  /** One layer per apt configuration, one entry per generation of its lists. */
  static CacheKey key(Path root, String architecture) throws IOException {
    return new CacheKey(LAYER + "/" + AptListsPool.configuration(root, architecture),
        AptListsPool.release(AptListsPool.lists(root)), null);
  }

  /** The chroot's {@code var/cache/apt}, when it is a directory and no component of its path is a link ({@link ChrootFiles}). */
  static Optional<Path> cacheDir(Path root) {
    try {
      Path dir = ChrootFiles.resolve(root, "var/cache/apt");
      return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) ? Optional.of(dir) : Optional.empty();
    } catch (IllegalStateException link) {
      return Optional.empty();
    }
  }

  private static void copyBounded(Path from, Path to) throws IOException {
    try (BoundedInput in = BoundedInput.open(from, MAX_SIZE + 1); OutputStream out = Files.newOutputStream(to)) {
      in.transferTo(out);
      if (in.count() > MAX_SIZE) {
        throw new IOException(from + " is larger than " + MAX_SIZE + " bytes");
      }
    }
  }
}

package org.imagefoundry.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.DigestUtils;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.springframework.stereotype.Component;

/**
 * apt's package lists, shared across builds ({@code <data-dir>/cache/lists/<sources>/<release>}), like the
 * package pool: before {@code apt-get update} a build is lent the newest lists fetched with the same apt
 * configuration (architecture, sources, keyrings, apt.conf; not pins), so apt only asks whether each InRelease changed;
 * after it, lists whose Release files differ from every kept ones are kept as a new generation, and the
 * older generations not being lent go. The generations are entries of the {@link CacheStore}, one layer per apt
 * configuration, but do not count against {@code max-size}; a copy that fails lends nothing. Only
 * lists that a gpgv-verified InRelease vouches for are kept (see {@link #keep}).
 */
@Component
public class AptListsPool {

  static final String LAYER = "lists";
  /** apt's own files in the lists directory, never shared. */
  static final List<String> APT_OWN = List.of("lock", "partial", "auxfiles");

  private final FoundrySettings settings;
  private final CacheStore store;
  private final SignedIndexes indexes;

  public AptListsPool(FoundrySettings settings, CacheStore store, SignedIndexes indexes) {
    this.settings = settings;
    this.store = store;
    this.indexes = indexes;
  }

  public Path dir() {
    return store.dir(LAYER);
  }

  /** The chroot's lists directory, refused if a link leads it out of the chroot. */
  static Path lists(Path root) throws IOException {
    Path lists = root.resolve("var/lib/apt/lists");
    if (Files.exists(lists) && !lists.toRealPath().startsWith(root.toRealPath())) {
      throw new IOException(lists + " leads out of the chroot");
    }
    return lists;
  }

  /**
   * Copies the newest lists of the same apt configuration, for the same architecture, into the chroot's lists
   * directory; false when there are none.
   */
  public boolean lend(Path root, String architecture, String buildId) {
    if (!settings.cache().enabled()) {
      return false;
    }
    try {
      String layer = layer(root, architecture);
      Optional<Path> newest = store.entries(layer).max(Comparator.comparing(AptListsPool::modified));
      if (newest.isEmpty()) {
        return false;
      }
      Path target = lists(root);
      Files.createDirectories(target);
      CacheKey generation = new CacheKey(layer, newest.get().getFileName().toString(), null);
      if (store.read(generation, buildId, Duration.ZERO, entry -> copyFiles(entry, target, name -> true)).isEmpty()) {
        clearShared(target);
        return false;
      }
      BuildLog.info("apt lists lent from the pool: {}", generation.digest());
      return true;
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("could not lend apt lists from the pool, apt fetches them all: {}", e.getMessage());
      clearShared(root.resolve("var/lib/apt/lists"));
      return false;
    }
  }

  /**
   * Whether the chroot's lists are a generation that an {@code apt-get update} of the same apt
   * configuration confirmed ({@link #keep}) within {@code image-foundry.cache.release-max-age}, and every
   * one of {@code repos} is signed and on http or https, so that the generation holds all their lists
   * (only what a signed InRelease vouches for is kept).
   * Then the build takes them as what the repos answer now, as the cache keys take a Release file
   * fetched that recently ({@code imagetree.RecentReleases}), and need not update: here an
   * {@code apt-get update} that finds nothing new takes 0.4 s, most of it apt building its caches, which
   * its next command then does. Those repos are the ones {@link SignedIndexes#verifiable} names.
   */
  public boolean current(Path root, String architecture, List<RepoSpec> repos) {
    Duration maxAge = settings.cache().releaseMaxAge();
    if (!settings.cache().enabled() || maxAge.isZero() || repos.isEmpty()) {
      return false;
    }
    try {
      if (!repos.stream().allMatch(SignedIndexes::verifiable)) {
        return false;
      }
      CacheKey generation = new CacheKey(layer(root, architecture), release(lists(root)), null);
      if (!store.contains(generation)) {
        return false;
      }
      Duration age = Duration.between(Files.getLastModifiedTime(store.entry(generation)).toInstant(), Instant.now());
      if (age.isNegative() || age.compareTo(maxAge) >= 0) {
        return false;
      }
      BuildLog.info("apt's lists are those an apt-get update of the same configuration confirmed {} ms ago: "
          + "not updated again", age.toMillis());
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Keeps the chroot's lists after {@code apt-get update}, when their Release files are new, and lets the
   * older generations of the same apt configuration go (those being lent stay); best effort.
   * The chroot's lists could have been written by a package script (an earlier attempt's, or
   * the bootstrap's), so of the copy only what {@link SignedIndexes} finds a gpgv-verified
   * InRelease of {@code repos} vouching for is kept; the lists of {@code trusted} and {@code file:} repos never are.
   */
  public void keep(Path root, String architecture, List<RepoSpec> repos, String buildId) {
    if (!settings.cache().enabled()) {
      return;
    }
    try {
      Path lists = lists(root);
      CacheKey generation = new CacheKey(layer(root, architecture), release(lists), null);
      if (store.contains(generation)) {
        Files.setLastModifiedTime(store.entry(generation), FileTime.from(Instant.now()));
      } else {
        // only what the chroot's lists vouch for is copied (a script's huge file is never read), then checked again as copied
        Set<String> inChroot = indexes.vouchedLists(lists, repos).keySet();
        if (inChroot.isEmpty()) {
          BuildLog.info("no apt lists kept in the pool: none verified against a signed InRelease of the build's repos");
          return;
        }
        store.fill(generation, buildId, Duration.ZERO, staging -> copyVouched(lists, staging, inChroot, repos));
      }
      if (store.contains(generation)) {
        store.keys(generation.layer()).filter(older -> !older.digest().equals(generation.digest()))
            .forEach(older -> store.remove(older, buildId));
      }
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("could not keep the apt lists in the pool: {}", e.getMessage());
    }
  }

  private void copyVouched(Path lists, Path staging, Set<String> inChroot, List<RepoSpec> repos) throws IOException {
    copyFiles(lists, staging, inChroot::contains);
    Map<String, Instant> vouched = indexes.vouchedLists(staging, repos);
    try (Stream<Path> files = Files.list(staging)) {
      for (Path file : files.toList()) {
        Instant signed = vouched.get(file.getFileName().toString());
        if (signed == null) {
          Files.delete(file);
        } else {
          // apt asks the mirror for what changed since a list's time: a script's time (or an old, replayed
          // InRelease) must not make another build's apt believe that nothing did
          Files.setLastModifiedTime(file, FileTime.from(signed));
        }
      }
    }
    if (vouched.isEmpty()) {
      throw new IOException("none of the copied lists verified against a signed InRelease of the build's repos");
    }
    BuildLog.info("apt lists kept in the pool: {} verified file(s)", vouched.size());
  }

  /** The pool keeps one layer of generations per apt configuration. */
  private static String layer(Path root, String architecture) throws IOException {
    return LAYER + "/" + configuration(root, architecture);
  }

  /**
   * The digest of what decides which lists apt fetches: the architecture (apt takes it from dpkg, or the
   * bootstrap from its options, never from a file under /etc/apt: an arm64 build's lists hold no amd64
   * index, and lent as current to an amd64 build they left its bootstrap with no essential package) and
   * every file under /etc/apt but the pins.
   */
  static String configuration(Path root, String architecture) throws IOException {
    MessageDigest digest = DigestUtils.getSha256Digest();
    digest.update(("architecture=" + architecture + "\0").getBytes(StandardCharsets.UTF_8));
    Path etc = root.resolve("etc/apt");
    try (Stream<Path> files = Files.walk(etc)) {
      for (Path file : files.filter(AptListsPool::isPlainFile).sorted().toList()) {
        String name = etc.relativize(file).toString();
        if (name.equals("preferences") || name.startsWith("preferences.d/")) {
          continue;
        }
        digest.update((name + "\0").getBytes(StandardCharsets.UTF_8));
        digest.update(Files.readAllBytes(file));
        digest.update((byte) 0);
      }
    }
    return Hex.encodeHexString(digest.digest());
  }

  /** The digest of the lists' Release files (InRelease, Release, Release.gpg): a new one is a new generation. */
  static String release(Path lists) throws IOException {
    MessageDigest digest = DigestUtils.getSha256Digest();
    try (Stream<Path> files = Files.list(lists)) {
      List<Path> releases = files.filter(AptListsPool::isPlainFile)
          .filter(f -> f.getFileName().toString().matches(".*_(InRelease|Release|Release\\.gpg)"))
          .sorted().toList();
      if (releases.isEmpty()) {
        throw new IOException("no Release files in " + lists);
      }
      for (Path file : releases) {
        digest.update((file.getFileName() + "\0").getBytes(StandardCharsets.UTF_8));
        digest.update(Files.readAllBytes(file));
      }
    }
    return Hex.encodeHexString(digest.digest());
  }

  /** A regular file, not a link: a link in a chroot names a path of the host. */
  private static boolean isPlainFile(Path file) {
    return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
  }

  /** Copies the lists of {@code from} that {@code names} accepts, never apt's own files or the store's. */
  private static boolean copyFiles(Path from, Path to, Predicate<String> names) throws IOException {
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.filter(AptListsPool::isPlainFile).toList()) {
        String name = file.getFileName().toString();
        if (!APT_OWN.contains(name) && !CacheStore.OWN.contains(name) && names.test(name)) {
          Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    return true;
  }

  private static void clearShared(Path lists) {
    try (Stream<Path> files = Files.list(lists)) {
      for (Path file : files.filter(AptListsPool::isPlainFile).toList()) {
        if (!APT_OWN.contains(file.getFileName().toString())) {
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException e) {
      BuildLog.warn("could not clear the lists a failed lend left: {}", e.getMessage());
    }
  }

  private static FileTime modified(Path path) {
    try {
      return Files.getLastModifiedTime(path);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }
}

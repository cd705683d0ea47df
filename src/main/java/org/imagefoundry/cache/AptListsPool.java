package org.imagefoundry.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.springframework.stereotype.Component;

/**
 * apt's package lists, shared across builds ({@code <data-dir>/cache/lists/<sources>/<release>}), like the
 * package pool: before {@code apt-get update} a build is lent the newest lists fetched with the same apt
 * configuration (sources, keyrings, apt.conf; not pins), so apt only asks whether each InRelease changed;
 * after it, lists whose Release files differ from every kept ones are kept as a new generation, and the
 * older generations go. Entries appear by an atomic rename; a copy that fails lends nothing. Only
 * lists that a gpgv-verified InRelease vouches for are kept (see {@link #keep}).
 */
@Component
public class AptListsPool {

  static final String LAYER = "lists";
  /** apt's own files in the lists directory, never shared. */
  static final List<String> APT_OWN = List.of("lock", "partial", "auxfiles");

  private final FoundrySettings settings;
  private final SignedIndexes indexes;

  public AptListsPool(FoundrySettings settings, SignedIndexes indexes) {
    this.settings = settings;
    this.indexes = indexes;
  }

  public Path dir() {
    return settings.dataDir().resolve("cache").resolve(LAYER);
  }

  /** The chroot's lists directory, refused if a link leads it out of the chroot. */
  static Path lists(Path root) throws IOException {
    Path lists = root.resolve("var/lib/apt/lists");
    if (Files.exists(lists) && !lists.toRealPath().startsWith(root.toRealPath())) {
      throw new IOException(lists + " leads out of the chroot");
    }
    return lists;
  }

  /** Copies the newest lists of the same apt configuration into the chroot's lists directory; false when there are none. */
  public boolean lend(Path root) {
    if (!settings.cache().enabled()) {
      return false;
    }
    try {
      Optional<Path> newest = generations(dir().resolve(configuration(root))).max(Comparator.comparing(AptListsPool::modified));
      if (newest.isEmpty()) {
        return false;
      }
      Path target = lists(root);
      Files.createDirectories(target);
      copyFiles(newest.get(), target, name -> true);
      BuildLog.info("apt lists lent from the pool: {}", newest.get().getFileName());
      return true;
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("could not lend apt lists from the pool, apt fetches them all: {}", e.getMessage());
      clearShared(root.resolve("var/lib/apt/lists"));
      return false;
    }
  }

  /**
   * Keeps the chroot's lists after {@code apt-get update}, when their Release files are new; best effort.
   * The chroot's lists could have been written by a package script (an earlier attempt's, or
   * debootstrap's second stage's), so of the copy only what {@link SignedIndexes} finds a gpgv-verified
   * InRelease of {@code repos} vouching for is kept; the lists of {@code trusted} and {@code file:} repos never are.
   */
  public void keep(Path root, List<RepoSpec> repos, String buildId) {
    if (!settings.cache().enabled()) {
      return;
    }
    Path entry = null;
    Path partial = null;
    try {
      entry = dir().resolve(configuration(root));
      Path generation = entry.resolve(release(lists(root)));
      if (Files.isDirectory(generation)) {
        Files.setLastModifiedTime(generation, FileTime.from(Instant.now()));
      } else {
        partial = entry.resolve(generation.getFileName() + "." + buildId + ".partial");
        Files.createDirectories(partial);
        // only what the chroot's lists vouch for is copied (a script's huge file is never read), then checked again as copied
        Set<String> inChroot = indexes.vouchedLists(lists(root), repos).keySet();
        copyFiles(lists(root), partial, inChroot::contains);
        Map<String, Instant> vouched = indexes.vouchedLists(partial, repos);
        try (Stream<Path> files = Files.list(partial)) {
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
          BuildLog.info("no apt lists kept in the pool: none verified against a signed InRelease of the build's repos");
          return;
        }
        generation = entry.resolve(release(partial));
        if (Files.isDirectory(generation)) {
          Files.setLastModifiedTime(generation, FileTime.from(Instant.now()));
        } else {
          Files.move(partial, generation, StandardCopyOption.ATOMIC_MOVE);
          BuildLog.info("apt lists kept in the pool: {} verified file(s) of {}", vouched.size(), generation.getFileName());
        }
      }
      Path kept = generation;
      try (Stream<Path> all = generations(entry)) {
        for (Path older : all.filter(g -> !g.equals(kept)).toList()) {
          TreeStore.delete(older);
        }
      }
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("could not keep the apt lists in the pool: {}", e.getMessage());
    } finally {
      if (partial != null) {
        TreeStore.delete(partial);
      }
    }
  }

  /** The digest of what decides which lists apt fetches: every file under /etc/apt but the pins. */
  static String configuration(Path root) throws IOException {
    MessageDigest digest = sha256();
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
    return HexFormat.of().formatHex(digest.digest());
  }

  /** The digest of the lists' Release files (InRelease, Release, Release.gpg): a new one is a new generation. */
  static String release(Path lists) throws IOException {
    MessageDigest digest = sha256();
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
    return HexFormat.of().formatHex(digest.digest());
  }

  private static Stream<Path> generations(Path entry) throws IOException {
    if (!Files.isDirectory(entry)) {
      return Stream.empty();
    }
    return Files.list(entry).filter(Files::isDirectory).filter(g -> !g.getFileName().toString().endsWith(".partial"));
  }

  /** A regular file, not a link: a link in a chroot names a path of the host. */
  private static boolean isPlainFile(Path file) {
    return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
  }

  private static void copyFiles(Path from, Path to, java.util.function.Predicate<String> names) throws IOException {
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.filter(AptListsPool::isPlainFile).toList()) {
        if (!APT_OWN.contains(file.getFileName().toString()) && names.test(file.getFileName().toString())) {
          Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
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

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package org.imagefoundry.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.imagefoundry.FoundrySettings;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.Debootstrapper;
import org.imagefoundry.host.TreeArchives;
import org.imagefoundry.spec.BuildSpec.Proxies;
import org.imagefoundry.imagetree.RepositoryFiles;
import org.springframework.stereotype.Component;

/**
 * debootstrap's result, kept once per (mirror, suite, architecture, variant, includes, keyring, the
 * suite's InRelease digest) under {@code <data-dir>/cache/base/<key>/base.tar.zst}, and unpacked by
 * later builds instead of running debootstrap. A new InRelease on the mirror makes a new key, so a
 * stale base is never used. An entry appears by renaming a complete directory, so a partial one is
 * never seen; builds of this node wait for one another's fill of the same key ({@link #fillLock}), and
 * fills from elsewhere at the same moment both finish and one rename wins; zstd's
 * checksum fails the unpacking of a corrupt entry, which is then dropped. Least recently used entries
 * go first when the cache outgrows {@code image-foundry.cache.max-size}.
 */
@Component
public class BaseTreeCache {

  static final String FORMAT = "base-tree-v2";
  static final String ARCHIVE = "base.tar.zst";
  static final String LAST_USED = "last-used";

  /** An entry's name and what it stands for. */
  public record Key(String digest, String description) {}

  private final FoundrySettings settings;
  private final TreeArchives archives;
  private final java.util.Map<String, java.util.concurrent.locks.ReentrantLock> fills =
      new java.util.concurrent.ConcurrentHashMap<>();

  public BaseTreeCache(FoundrySettings settings, TreeArchives archives) {
    this.settings = settings;
    this.archives = archives;
  }

  public Path dir() {
    return settings.dataDir().resolve("cache").resolve("base");
  }

  /** The key of a debootstrap, or empty when the cache is off or the suite's InRelease cannot be read. */
  public Optional<Key> key(Debootstrapper.Options options, Proxies proxies) {
    if (!settings.cache().enabled()) {
      return Optional.empty();
    }
    try {
      byte[] inRelease = RepositoryFiles.fetch(options.mirror(), options.suite(), "InRelease", proxies);
      String keyring = options.trusted() ? "trusted" : sha256(Files.readAllBytes(options.keyring()));
      String description = String.join("\n", FORMAT, "mirror=" + options.mirror().replaceAll("/+$", ""),
          "suite=" + options.suite(), "arch=" + options.arch(), "variant=" + options.variant(),
          "include=" + String.join(",", options.include().stream().sorted().toList()), "keyring=" + keyring,
          "inrelease=" + sha256(inRelease));
      return Optional.of(new Key(sha256(description.getBytes(StandardCharsets.UTF_8)), description));
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("base-tree cache not used: {}", e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * The lock of a key, held while a build looks the key up and, on a miss, debootstraps and stores: a
   * second build of the same base waits, then unpacks the first one's result instead of running its
   * own debootstrap beside it.
   */
  public java.util.concurrent.locks.Lock fillLock(Key key) {
    return fills.computeIfAbsent(key.digest(), digest -> new java.util.concurrent.locks.ReentrantLock());
  }

  /** Unpacks the entry into {@code root}; false on a miss, or when the entry proved corrupt (and was dropped). */
  public boolean restore(Key key, Path root) {
    Path entry = dir().resolve(key.digest());
    Path archive = entry.resolve(ARCHIVE);
    if (!Files.isRegularFile(archive)) {
      BuildLog.info("base-tree cache miss: {}", key.digest());
      return false;
    }
    try {
      archives.unpack(archive, root);
    } catch (RuntimeException e) {
      BuildLog.warn("base-tree cache entry {} is corrupt, dropping it: {}", key.digest(), e.getMessage());
      delete(entry);
      return false;
    }
    touch(entry.resolve(LAST_USED));
    BuildLog.info("base system unpacked from the base-tree cache: {}", key.digest());
    return true;
  }

  /** Keeps the tree under {@code root} as the entry of {@code key}; best effort, never fails the build. */
  public void store(Key key, Path root, String buildId) {
    Path entry = dir().resolve(key.digest());
    if (Files.isDirectory(entry)) {
      return;
    }
    Path partial = dir().resolve(key.digest() + "." + buildId + ".partial");
    try {
      delete(partial);
      Files.createDirectories(partial);
      archives.pack(root, partial.resolve(ARCHIVE));
      Files.writeString(partial.resolve("key.txt"), key.description() + "\n");
      touch(partial.resolve(LAST_USED));
      Files.move(partial, entry, StandardCopyOption.ATOMIC_MOVE);
      BuildLog.info("base system stored in the base-tree cache: {}", key.digest());
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      BuildLog.info("another build stored the same base first: {}", key.digest());
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("could not store the base system in the cache: {}", e.getMessage());
    } finally {
      delete(partial);
    }
    evict();
  }

  /** Drops least recently used entries until the cache fits {@code image-foundry.cache.max-size}. */
  public synchronized void evict() {
    List<Path> entries = entries().sorted(Comparator.comparing(BaseTreeCache::lastUsed)).toList();
    long total = entries.stream().mapToLong(BaseTreeCache::size).sum();
    long max = settings.cache().maxSize().toBytes();
    for (Path entry : entries) {
      if (total <= max) {
        break;
      }
      total -= size(entry);
      BuildLog.info("evicting base-tree cache entry {} (least recently used)", entry.getFileName());
      delete(entry);
    }
  }

  Stream<Path> entries() {
    if (!Files.isDirectory(dir())) {
      return Stream.empty();
    }
    try (Stream<Path> list = Files.list(dir())) {
      return list.filter(p -> Files.isRegularFile(p.resolve(ARCHIVE)) && !p.getFileName().toString().endsWith(".partial"))
          .toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static FileTime lastUsed(Path entry) {
    try {
      return Files.getLastModifiedTime(entry.resolve(LAST_USED));
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  private static long size(Path entry) {
    try {
      return Files.size(entry.resolve(ARCHIVE));
    } catch (IOException e) {
      return 0;
    }
  }

  private static void touch(Path file) {
    try {
      if (!Files.exists(file)) {
        Files.createFile(file);
      }
      Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + dir, e);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

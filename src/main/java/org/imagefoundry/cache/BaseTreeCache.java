package org.imagefoundry.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.codec.digest.DigestUtils;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.Debootstrapper;
import org.imagefoundry.host.TreeArchives;
import org.imagefoundry.imagetree.ReleaseFiles;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/**
 * debootstrap's result, kept once per (mirror, suite, architecture, variant, includes, keyring, the
 * suite's InRelease digest) in the {@link CacheStore} under {@code <data-dir>/cache/base/<key>/} as a tar
 * (plain, or zstd with {@code image-foundry.cache.compress-trees}), and unpacked by later builds instead of running debootstrap. A new InRelease on the mirror makes a
 * new key, so a stale base is never used. A build holds the key ({@link #hold}) while it looks it up and, on
 * a miss, debootstraps and stores: a second build of the same base, on this node or another sharing the data
 * directory, waits and then unpacks the first one's result. A truncated entry (and with zstd, any damaged
 * one) fails to unpack, and is then dropped.
 */
@Component
public class BaseTreeCache {

  /**
   * v5: trees made by mmdebstrap with /usr merged from the start (v4's had usrmerge and perl; v3's were
   * debootstrap's, with its own leftovers): never mixed.
   */
  static final String FORMAT = "base-tree-v5";
  static final String LAYER = "base";
  /** An entry's tree: a plain tar, or zstd-compressed with {@code image-foundry.cache.compress-trees}. */
  static final String ARCHIVE = "tree.tar";
  static final String COMPRESSED_ARCHIVE = "tree.tar.zst";

  private final FoundrySettings settings;
  private final CacheStore store;
  private final TreeArchives archives;

  public BaseTreeCache(FoundrySettings settings, CacheStore store, TreeArchives archives) {
    this.settings = settings;
    this.store = store;
    this.archives = archives;
  }

  public Path dir() {
    return store.dir(LAYER);
  }

  /** The key of a debootstrap, or empty when the cache is off or the suite's InRelease cannot be read. */
  public Optional<CacheKey> key(Debootstrapper.Options options, ReleaseFiles releases) {
    if (!settings.cache().enabled()) {
      return Optional.empty();
    }
    try {
      byte[] inRelease = releases.fetch(options.mirror(), options.suite(), "InRelease");
      String keyring = options.trusted() ? "trusted" : DigestUtils.sha256Hex(Files.readAllBytes(options.keyring()));
      String description = String.join("\n", FORMAT, "mirror=" + options.mirror().replaceAll("/+$", ""),
          "suite=" + options.suite(), "arch=" + options.arch(), "variant=" + options.variant(),
          "include=" + String.join(",", options.include().stream().sorted().toList()), "keyring=" + keyring,
          "inrelease=" + DigestUtils.sha256Hex(inRelease));
      return Optional.of(CacheKey.of(LAYER, description));
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("base-tree cache not used: {}", e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Holds the key for {@code buildId} while it looks the key up and, on a miss, debootstraps and stores,
   * waiting up to {@code patience} for another build's fill of it.
   */
  public CacheStore.Hold hold(CacheKey key, String buildId, Duration patience) {
    return store.hold(key, buildId, patience);
  }

  /** Unpacks the entry into {@code root}; false on a miss, or when the entry proved corrupt (and was dropped). */
  public boolean restore(CacheKey key, Path root, String buildId) {
    return store.read(key, buildId, Duration.ZERO, entry -> {
      archives.unpack(archiveIn(entry), root);
      BuildLog.info("tree unpacked from the {} cache: {}", LAYER, key.digest());
      return true;
    }).isPresent();
  }

  /** Keeps the tree under {@code root} as the entry of {@code key}; best effort, never fails the build. */
  public void store(CacheKey key, Path root, String buildId) {
    store.fill(key, buildId, Duration.ZERO,
        staging -> archives.pack(root, staging.resolve(archiveName(settings)), PackageLayerCache.EXCLUDES));
  }

  /** The name a new entry's tree gets, as {@code image-foundry.cache.compress-trees} says. */
  static String archiveName(FoundrySettings settings) {
    return settings.cache().compressTrees() ? COMPRESSED_ARCHIVE : ARCHIVE;
  }

  /** The tree of an entry, whichever way it was packed (the setting may have changed since). */
  static Path archiveIn(Path entry) {
    Path plain = entry.resolve(ARCHIVE);
    return Files.exists(plain) ? plain : entry.resolve(COMPRESSED_ARCHIVE);
  }

  /** Drops least recently used entries until the caches fit {@code image-foundry.cache.max-size}. */
  public void evict() {
    store.evict();
  }

  Stream<Path> entries() {
    return store.entries(LAYER);
  }
}

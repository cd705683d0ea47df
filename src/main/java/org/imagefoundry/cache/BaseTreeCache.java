package org.imagefoundry.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.Debootstrapper;
import org.imagefoundry.imagetree.RepositoryFiles;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.spec.BuildSpec.Proxies;
import org.springframework.stereotype.Component;

/**
 * debootstrap's result, kept once per (mirror, suite, architecture, variant, includes, keyring, the
 * suite's InRelease digest) in the {@link TreeStore} under {@code <data-dir>/cache/base/<key>/}, and
 * unpacked by later builds instead of running debootstrap. A new InRelease on the mirror makes a new
 * key, so a stale base is never used. Builds of this node wait for one another's fill of the same key
 * ({@link #fillLock}); fills from elsewhere at the same moment both finish and one rename wins.
 */
@Component
public class BaseTreeCache {

  static final String FORMAT = "base-tree-v3";
  static final String LAYER = "base";

  /** An entry's name and what it stands for. */
  public record Key(String digest, String description) {}

  private final FoundrySettings settings;
  private final TreeStore store;
  private final Map<String, ReentrantLock> fills = new ConcurrentHashMap<>();

  public BaseTreeCache(FoundrySettings settings, TreeStore store) {
    this.settings = settings;
    this.store = store;
  }

  public Path dir() {
    return store.dir(LAYER);
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
  public Lock fillLock(Key key) {
    return fills.computeIfAbsent(key.digest(), digest -> new ReentrantLock());
  }

  /** Unpacks the entry into {@code root}; false on a miss, or when the entry proved corrupt (and was dropped). */
  public boolean restore(Key key, Path root) {
    return store.restore(LAYER, key.digest(), root);
  }

  /** Keeps the tree under {@code root} as the entry of {@code key}; best effort, never fails the build. */
  public void store(Key key, Path root, String buildId) {
    store.store(LAYER, key.digest(), key.description(), root, List.of(), buildId);
  }

  /** Drops least recently used entries until the caches fit {@code image-foundry.cache.max-size}. */
  public void evict() {
    store.evict();
  }

  Stream<Path> entries() {
    return store.entries(LAYER);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package org.imagefoundry.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.imagetree.RepositoryFiles;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.spec.BuildSpec.Proxies;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.springframework.stereotype.Component;

/**
 * The image tree right after installPackages, kept in the {@link TreeStore} under
 * {@code <data-dir>/cache/layers/<key>/}, and unpacked by later builds instead of debootstrap and apt.
 * The key is everything that decides that tree: the base tree's key, every repo as apt sees it (uri,
 * suite, section, pin, trust, keyring) with the digest of its InRelease, the package list and the
 * variant. Proxies change the tree only through what the repos answer, which the InRelease digests
 * (fetched through them) already hold. The package lists and apt's caches are left out of an entry:
 * postInstall removes them from every image anyway.
 *
 * <p>A fill spans two steps (debootstrap and storePackageLayer), so instead of a lock a build of this
 * node {@linkplain #claim claims} the key it fills; another build of the same key waits for the entry
 * or for the claim to be released (by the store, or by the sweep of a build that failed).
 */
@Component
public class PackageLayerCache {

  static final String FORMAT = "package-layer-v2";
  /** The installed packages listPackages read before the tree was stored (JSON), for the bill of materials. */
  static final String PACKAGES = "packages.json";
  static final String LAYER = "layers";
  /** Left out of an entry: the package lists, apt's binary caches, downloaded packages. */
  static final List<String> EXCLUDES = List.of("./var/lib/apt/lists/*_*", "./var/cache/apt/*.bin",
      "./var/cache/apt/archives/*.deb");

  /** An entry's name and what it stands for. */
  public record Key(String digest, String description) {}

  private final FoundrySettings settings;
  private final TreeStore store;
  /** key digest → the build of this node that fills it. */
  private final Map<String, String> claims = new HashMap<>();

  public PackageLayerCache(FoundrySettings settings, TreeStore store) {
    this.settings = settings;
    this.store = store;
  }

  public Path dir() {
    return store.dir(LAYER);
  }

  /**
   * The key of the tree installPackages makes on the base of {@code base} from {@code repos} (as the build
   * uses them), or empty when the cache or its package layers are off or a repo's InRelease (or Release) cannot be read.
   */
  public Optional<Key> key(BaseTreeCache.Key base, List<RepoSpec> repos, List<String> packages, String variant,
      Proxies proxies) {
    if (!settings.cache().enabled() || !settings.cache().packageLayers()) {
      return Optional.empty();
    }
    try {
      List<String> lines = new ArrayList<>(List.of(FORMAT, "base=" + base.digest(), "variant=" + variant));
      for (RepoSpec repo : repos) {
        String keyring = repo.keyring() == null ? "-" : BaseTreeCache.sha256(Files.readAllBytes(Path.of(repo.keyring())));
        lines.add("repo=" + String.join(" ", repo.name(), repo.uri().replaceAll("/+$", ""), repo.suite(),
            String.valueOf(repo.section()), String.valueOf(repo.priority()), String.valueOf(repo.skipsSignatureChecks()),
            keyring, "release=" + BaseTreeCache.sha256(release(repo, proxies))));
      }
      lines.add("packages=" + String.join(",", packages.stream().distinct().sorted().toList()));
      String description = String.join("\n", lines);
      return Optional.of(new Key(BaseTreeCache.sha256(description.getBytes(StandardCharsets.UTF_8)), description));
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("package-layer cache not used: {}", e.getMessage());
      return Optional.empty();
    }
  }

  /** The repo's InRelease, or its Release where it has no InRelease (a flat or unsigned local repo). */
  private static byte[] release(RepoSpec repo, Proxies proxies) {
    try {
      return RepositoryFiles.fetch(repo.uri(), repo.suite(), "InRelease", proxies);
    } catch (RuntimeException e) {
      return RepositoryFiles.fetch(repo.uri(), repo.suite(), "Release", proxies);
    }
  }

  /**
   * Makes {@code buildId} the filler of {@code key}, first waiting (up to {@code patience}) while another
   * build of this node fills it; returns at once when the entry is there.
   */
  public synchronized void claim(Key key, String buildId, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    String holder = claims.get(key.digest());
    if (holder != null && !holder.equals(buildId)) {
      BuildLog.info("build {} is installing the same packages on the same base: waiting to unpack its result", holder);
    }
    while ((holder = claims.get(key.digest())) != null && !holder.equals(buildId) && !store.contains(LAYER, key.digest())) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException("waited " + patience + " for build " + holder + " to fill the package layer");
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for another build's package layer", e);
      }
    }
    if (!store.contains(LAYER, key.digest())) {
      claims.put(key.digest(), buildId);
    }
  }

  /** Ends the claims of {@code buildId}, waking the builds that wait for them. */
  public synchronized void release(String buildId) {
    if (claims.values().removeIf(buildId::equals)) {
      notifyAll();
    }
  }

  /**
   * Unpacks the entry into {@code root} and returns the installed packages recorded with it; empty on a
   * miss, or when the entry proved corrupt (and was dropped).
   */
  public Optional<String> restore(Key key, Path root) {
    if (!store.contains(LAYER, key.digest())) {
      BuildLog.info("{} cache miss: {}", LAYER, key.digest());
      return Optional.empty();
    }
    Optional<String> packages = store.note(LAYER, key.digest(), PACKAGES);
    if (packages.isEmpty()) {
      store.drop(LAYER, key.digest(), "no " + PACKAGES);
      return Optional.empty();
    }
    return store.restore(LAYER, key.digest(), root) ? packages : Optional.empty();
  }

  /** Keeps the tree under {@code root} and its installed packages as the entry of {@code key}, then ends the build's claim. */
  public void store(Key key, Path root, String packages, String buildId) {
    try {
      store.store(LAYER, key.digest(), key.description(), root, EXCLUDES, Map.of(PACKAGES, packages), buildId);
    } finally {
      release(buildId);
    }
  }

  Stream<Path> entries() {
    return store.entries(LAYER);
  }
}

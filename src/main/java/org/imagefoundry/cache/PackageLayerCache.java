package org.imagefoundry.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.codec.digest.DigestUtils;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.TreeArchives;
import org.imagefoundry.imagetree.ReleaseFiles;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.spec.BuildSpec.Proxies;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.springframework.stereotype.Component;

/**
 * The image tree right after installPackages, kept in the {@link CacheStore} under
 * {@code <data-dir>/cache/layers/<key>/}, and unpacked by later builds instead of debootstrap and apt.
 * The key is everything that decides that tree: the base tree's key, every repo as apt sees it (uri,
 * suite, section, pin, trust, keyring) with the digest of its InRelease, the package list and the
 * variant. Proxies change the tree only through what the repos answer, which the InRelease digests
 * (fetched through them) already hold. The package lists and apt's caches are left out of an entry:
 * postInstall removes them from every image anyway.
 *
 * <p>A fill spans two steps (debootstrap and storePackageLayer), so a build {@linkplain #claim claims} the
 * key it fills (holds it in the store, across the steps); another build of the same key, of this node or
 * another sharing the data directory, waits for the entry or for the claim to be released (by the store, by
 * the sweep of a build that failed, or by the end of a process that died).
 */
@Component
public class PackageLayerCache {

  static final String FORMAT = "package-layer-v2";
  /** The installed packages listPackages read before the tree was stored (JSON), for the bill of materials. */
  static final String PACKAGES = "packages.json";
  public static final String LAYER = "layers";
  /** Left out of an entry (and of a base tree's): the package lists, apt's binary caches, downloaded packages. */
  static final List<String> EXCLUDES = List.of("./var/lib/apt/lists/*_*", "./var/lib/apt/lists/auxfiles",
      "./var/cache/apt/*.bin", "./var/cache/apt/archives/*.deb");

  private final FoundrySettings settings;
  private final CacheStore store;
  private final TreeArchives archives;

  public PackageLayerCache(FoundrySettings settings, CacheStore store, TreeArchives archives) {
    this.settings = settings;
    this.store = store;
    this.archives = archives;
  }

  public Path dir() {
    return store.dir(LAYER);
  }

  /**
   * The key of the tree installPackages makes on the base of {@code base} from {@code repos} (as the build
   * uses them), or empty when the cache or its package layers are off or a repo's InRelease (or Release) cannot be read.
   */
  public Optional<CacheKey> key(CacheKey base, List<RepoSpec> repos, List<String> packages, String variant,
      ReleaseFiles releases) {
    if (!settings.cache().enabled() || !settings.cache().packageLayers()) {
      return Optional.empty();
    }
    try {
      List<String> lines = new ArrayList<>(List.of(FORMAT, "base=" + base.digest(), "variant=" + variant));
      for (RepoSpec repo : repos) {
        String keyring = repo.keyring() == null ? "-" : DigestUtils.sha256Hex(Files.readAllBytes(Path.of(repo.keyring())));
        lines.add("repo=" + String.join(" ", repo.name(), repo.uri().replaceAll("/+$", ""), repo.suite(),
            String.valueOf(repo.section()), String.valueOf(repo.priority()), String.valueOf(repo.skipsSignatureChecks()),
            keyring, "release=" + DigestUtils.sha256Hex(release(repo, releases))));
      }
      lines.add("packages=" + String.join(",", packages.stream().distinct().sorted().toList()));
      String description = String.join("\n", lines);
      return Optional.of(CacheKey.of(LAYER, description));
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("package-layer cache not used: {}", e.getMessage());
      return Optional.empty();
    }
  }

  /** The repo's InRelease, or its Release where it has no InRelease (a flat or unsigned local repo). */
  private static byte[] release(RepoSpec repo, ReleaseFiles releases) {
    try {
      return releases.fetch(repo.uri(), repo.suite(), "InRelease");
    } catch (RuntimeException e) {
      return releases.fetch(repo.uri(), repo.suite(), "Release");
    }
  }

  /**
   * Makes {@code buildId} the filler of {@code key}, first waiting (up to {@code patience}) while another
   * build, of this node or another sharing the data directory, fills it; returns at once when the entry is there.
   */
  public void claim(CacheKey key, String buildId, Duration patience) {
    if (store.contains(key)) {
      return;
    }
    CacheStore.Hold claim = store.hold(key, buildId, patience);
    if (store.contains(key)) {
      claim.close();
    }
  }

  /** Ends the claims of {@code buildId}, waking the builds that wait for them. */
  public void release(String buildId) {
    store.release(LAYER, buildId);
  }

  /**
   * Unpacks the entry into {@code root} and returns the installed packages recorded with it; empty on a
   * miss, or when the entry proved corrupt (and was dropped).
   */
  public Optional<String> restore(CacheKey key, Path root, String buildId) {
    return store.read(key, buildId, Duration.ZERO, entry -> {
      String packages = Files.readString(entry.resolve(PACKAGES));
      archives.unpack(BaseTreeCache.archiveIn(entry), root);
      BuildLog.info("tree unpacked from the {} cache: {}", LAYER, key.digest());
      return packages;
    });
  }

  /** Keeps the tree under {@code root} and its installed packages as the entry of {@code key}, then ends the build's claim. */
  public void store(CacheKey key, Path root, String packages, String buildId) {
    try {
      store.fill(key, buildId, Duration.ZERO, staging -> {
        archives.pack(root, staging.resolve(BaseTreeCache.archiveName(settings)), EXCLUDES);
        Files.writeString(staging.resolve(PACKAGES), packages);
      });
    } finally {
      release(buildId);
    }
  }

  Stream<Path> entries() {
    return store.entries(LAYER);
  }
}

package org.imagefoundry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.imagefoundry.host.ProcessCommandRunner;
import org.imagefoundry.host.TreeArchives;
import org.imagefoundry.imagetree.ReleaseFiles;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/** The package-layer cache with real tar and zstd, against two file: repos whose InRelease the test controls. */
class PackageLayerCacheTest {

  static final String PACKAGES = "[{\"name\":\"less\",\"version\":\"590-2\"}]";

  static final CacheKey BASE = new CacheKey("base", "b".repeat(64), "base");

  @TempDir Path dir;
  Path debian;
  Path extra;
  PackageLayerCache cache;

  @BeforeEach
  void setUp() throws Exception {
    debian = repo("debian", "bookworm", "Suite: bookworm\nDate: Sat, 10 May 2025\n");
    extra = repo("extra", "extra", "Suite: extra\nDate: Sat, 10 May 2025\n");
    cache = cache(DataSize.ofGigabytes(1));
  }

  Path repo(String name, String suite, String inRelease) throws Exception {
    Path repo = dir.resolve(name);
    Files.createDirectories(repo.resolve("dists/" + suite));
    Files.writeString(repo.resolve("dists/" + suite + "/InRelease"), inRelease);
    return repo;
  }

  PackageLayerCache cache(DataSize maxSize) {
    FoundrySettings defaults = Settings.defaults();
    FoundrySettings settings = new FoundrySettings(dir.resolve("build"), dir.resolve("data"), List.of(), null, "n",
        "R1/PT1S", defaults.incidentTimeout(), List.of(), defaults.timeouts(), defaults.limits(),
        new FoundrySettings.Cache(true, maxSize, DataSize.ofGigabytes(1), true, Duration.ZERO, false), null, true, defaults.health(), defaults.admin(), List.of());
    return new PackageLayerCache(settings, new CacheStore(settings), new TreeArchives(new ProcessCommandRunner(), settings));
  }

  List<RepoSpec> repos(Integer extraPriority) {
    return List.of(new RepoSpec("debian", debian.toUri().toString(), "bookworm", "main", null, "deb", null, null),
        new RepoSpec("extra", extra.toUri().toString(), "extra", "main", extraPriority, "deb", true, null));
  }

  CacheKey key(List<String> packages, Integer extraPriority) {
    return cache.key(BASE, repos(extraPriority), packages, "minbase", new ReleaseFiles(null)).orElseThrow();
  }

  Path tree(String name, String status) throws Exception {
    Path root = dir.resolve(name);
    Files.createDirectories(root.resolve("var/lib/dpkg"));
    Files.createDirectories(root.resolve("var/lib/apt/lists/partial"));
    Files.createDirectories(root.resolve("var/cache/apt/archives"));
    Files.writeString(root.resolve("var/lib/dpkg/status"), status);
    Files.writeString(root.resolve("var/lib/apt/lists/mirror_dists_bookworm_InRelease"), "lists");
    Files.writeString(root.resolve("var/cache/apt/pkgcache.bin"), "cache");
    Files.writeString(root.resolve("var/cache/apt/archives/less_590-2_amd64.deb"), "deb");
    return root;
  }

  Path target() throws Exception {
    return Files.createDirectories(Files.createTempDirectory(dir, "target"));
  }

  @Test
  void aMissThenAHitRestoresTheTreeWithoutThePackageListsAndApsCaches() throws Exception {
    CacheKey key = key(List.of("less"), null);
    Path target = target();
    assertThat(cache.restore(key, target, "b9")).isEmpty();

    cache.store(key, tree("built", "Package: less\n"), PACKAGES, "b1");

    assertThat(cache.restore(key, target, "b9")).contains(PACKAGES);
    assertThat(target.resolve("var/lib/dpkg/status")).hasContent("Package: less\n");
    assertThat(target.resolve("var/lib/apt/lists/partial")).isDirectory();
    assertThat(target.resolve("var/lib/apt/lists/mirror_dists_bookworm_InRelease")).doesNotExist();
    assertThat(target.resolve("var/cache/apt/pkgcache.bin")).doesNotExist();
    assertThat(target.resolve("var/cache/apt/archives/less_590-2_amd64.deb")).doesNotExist();
  }

  @Test
  void theSameRequestInAnotherOrderIsTheSameKey() {
    assertThat(key(List.of("less", "zstd"), null)).isEqualTo(key(List.of("zstd", "less", "less"), null));
  }

  @Test
  void onePackageMoreIsAMiss() throws Exception {
    cache.store(key(List.of("less"), null), tree("built", "Package: less\n"), PACKAGES, "b1");

    assertThat(cache.restore(key(List.of("less", "zstd"), null), target(), "b9")).isEmpty();
  }

  @Test
  void aPinIsAMiss() throws Exception {
    cache.store(key(List.of("less"), null), tree("built", "Package: less\n"), PACKAGES, "b1");

    assertThat(cache.restore(key(List.of("less"), 1001), target(), "b9")).isEmpty();
  }

  @Test
  void aNewInReleaseOfAnyRepoIsAMiss() throws Exception {
    CacheKey before = key(List.of("less"), null);
    cache.store(before, tree("built", "Package: less\n"), PACKAGES, "b1");

    Files.writeString(extra.resolve("dists/extra/InRelease"), "Suite: extra\nDate: Sat, 17 May 2025\n");
    CacheKey after = key(List.of("less"), null);

    assertThat(after.digest()).isNotEqualTo(before.digest());
    assertThat(cache.restore(after, target(), "b9")).isEmpty();
  }

  @Test
  void anotherBaseOrVariantIsAMiss() {
    CacheKey key = key(List.of("less"), null);
    assertThat(cache.key(new CacheKey("base", "c".repeat(64), "other"), repos(null), List.of("less"), "minbase", new ReleaseFiles(null))
        .orElseThrow().digest()).isNotEqualTo(key.digest());
    assertThat(cache.key(BASE, repos(null), List.of("less"), "buildd", new ReleaseFiles(null)).orElseThrow().digest())
        .isNotEqualTo(key.digest());
  }

  @Test
  void aRepoWithoutInReleaseIsKeyedByItsRelease() throws Exception {
    Files.move(extra.resolve("dists/extra/InRelease"), extra.resolve("dists/extra/Release"));
    CacheKey before = key(List.of("less"), null);
    Files.writeString(extra.resolve("dists/extra/Release"), "Suite: extra\nDate: Sat, 17 May 2025\n");

    assertThat(key(List.of("less"), null).digest()).isNotEqualTo(before.digest());
  }

  @Test
  void anUnreadableRepoMeansNoCacheRatherThanAFailure() throws Exception {
    Files.delete(extra.resolve("dists/extra/InRelease"));

    assertThat(cache.key(BASE, repos(null), List.of("less"), "minbase", new ReleaseFiles(null))).isEmpty();
  }

  @Test
  void aCorruptEntryIsNeverUsedAndIsDropped() throws Exception {
    CacheKey key = key(List.of("less"), null);
    cache.store(key, tree("built", "x".repeat(100_000)), PACKAGES, "b1");
    Path archive = cache.dir().resolve(key.digest()).resolve(BaseTreeCache.ARCHIVE);
    byte[] bytes = Files.readAllBytes(archive);
    Files.write(archive, java.util.Arrays.copyOf(bytes, bytes.length / 2));

    assertThat(cache.restore(key, target(), "b9")).isEmpty();
    assertThat(cache.dir().resolve(key.digest())).doesNotExist();
  }

  @Test
  void anEntryWithoutItsPackageListIsDroppedAsDamaged() throws Exception {
    CacheKey key = key(List.of("less"), null);
    cache.store(key, tree("built", "Package: less\n"), PACKAGES, "b1");
    Files.delete(cache.dir().resolve(key.digest()).resolve(PackageLayerCache.PACKAGES));

    assertThat(cache.restore(key, target(), "b9")).isEmpty();
    assertThat(cache.dir().resolve(key.digest())).doesNotExist();
  }

  @Test
  void aSecondBuildOfTheSameKeyWaitsForTheFirstOnesFillThenHits() throws Exception {
    CacheKey key = key(List.of("less"), null);
    cache.claim(key, "first", Duration.ofMinutes(1));
    CountDownLatch waiting = new CountDownLatch(1);
    CompletableFuture<java.util.Optional<String>> second = CompletableFuture.supplyAsync(() -> {
      waiting.countDown();
      cache.claim(key, "second", Duration.ofMinutes(1));
      try {
        return cache.restore(key, target(), "second");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    waiting.await();
    assertThat(second).isNotDone();

    cache.store(key, tree("built", "Package: less\n"), PACKAGES, "first");

    assertThat(second.join()).contains(PACKAGES);
    assertThat(cache.entries().toList()).hasSize(1);
  }

  @Test
  void aFillerThatFailsReleasesItsClaimAndTheWaitingBuildFillsInstead() throws Exception {
    CacheKey key = key(List.of("less"), null);
    cache.claim(key, "failing", Duration.ofMinutes(1));
    CompletableFuture<Void> second = CompletableFuture.runAsync(() -> cache.claim(key, "second", Duration.ofMinutes(1)));

    cache.release("failing");
    second.join();

    // the claim is now the second build's: a third waits for it
    CompletableFuture<Void> third = CompletableFuture.runAsync(() -> cache.claim(key, "third", Duration.ofMinutes(1)));
    cache.store(key, tree("built", "Package: less\n"), PACKAGES, "second");
    third.join();
    assertThat(cache.restore(key, target(), "b9")).contains(PACKAGES);
  }

  @Test
  void twoBuildsStoringTheSameEntryAtOnceLeaveOneCompleteEntry() throws Exception {
    CacheKey key = key(List.of("less"), null);
    Path a = tree("a", "same\n");
    Path b = tree("b", "same\n");

    CompletableFuture.allOf(CompletableFuture.runAsync(() -> cache.store(key, a, PACKAGES, "b1")),
        CompletableFuture.runAsync(() -> cache.store(key, b, PACKAGES, "b2"))).join();

    assertThat(cache.entries().toList()).hasSize(1);
    try (var leftovers = Files.list(cache.dir())) {
      assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
    }
  }

  @Test
  void theLeastRecentlyUsedEntriesGoWhenTheCachesTogetherOutgrowTheLimit() throws Exception {
    CacheKey older = key(List.of("less"), null);
    CacheKey newer = key(List.of("zstd"), null);
    cache.store(older, tree("one", "1"), PACKAGES, "b1");
    cache.store(newer, tree("two", "2"), PACKAGES, "b2");
    Files.setLastModifiedTime(cache.dir().resolve(older.digest()).resolve(CacheStore.LAST_USED), FileTime.fromMillis(1_000));
    long oneEntry = CacheStore.size(cache.dir().resolve(newer.digest()));

    PackageLayerCache small = cache(DataSize.ofBytes(oneEntry + oneEntry / 2));
    small.store(key(List.of("netbase"), null), tree("three", "3"), PACKAGES, "b3");

    assertThat(cache.dir().resolve(older.digest())).doesNotExist();
    assertThat(cache.dir().resolve(newer.digest())).doesNotExist();
    assertThat(small.entries().toList()).hasSize(1);
  }
}

package org.imagefoundry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.imagefoundry.host.Debootstrapper;
import org.imagefoundry.host.ProcessCommandRunner;
import org.imagefoundry.host.TreeArchives;
import org.imagefoundry.imagetree.ReleaseFiles;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/** The base-tree cache with real tar and zstd, against a file: mirror whose InRelease the test controls. */
class BaseTreeCacheTest {

  @TempDir Path dir;
  Path mirror;
  Path keyring;
  BaseTreeCache cache;

  @BeforeEach
  void setUp() throws Exception {
    mirror = dir.resolve("mirror");
    Files.createDirectories(mirror.resolve("dists/bookworm"));
    Files.writeString(mirror.resolve("dists/bookworm/InRelease"), "Suite: stable\nDate: Sat, 10 May 2025\n");
    keyring = Files.writeString(dir.resolve("keyring.gpg"), "key");
    cache = cache(DataSize.ofGigabytes(1));
  }

  BaseTreeCache cache(DataSize maxSize) {
    return cache(maxSize, false);
  }

  BaseTreeCache cache(DataSize maxSize, boolean compressTrees) {
    FoundrySettings defaults = Settings.defaults();
    FoundrySettings settings = new FoundrySettings(dir.resolve("build"), dir.resolve("data"), List.of(), null, "n",
        "R1/PT1S", defaults.incidentTimeout(), List.of(), defaults.timeouts(), defaults.limits(),
        new FoundrySettings.Cache(true, maxSize, DataSize.ofGigabytes(1), true, Duration.ZERO, compressTrees), null,
        true, defaults.health(), defaults.admin(), List.of());
    return new BaseTreeCache(settings, new CacheStore(settings), new TreeArchives(new ProcessCommandRunner(), settings));
  }

  Debootstrapper.Options options(String variant) {
    return new Debootstrapper.Options("bookworm", mirror.toUri().toString(), "amd64", variant, List.of("ca-certificates"),
        keyring, false, Map.of());
  }

  Path tree(String name, String content) throws Exception {
    Path root = dir.resolve(name);
    Files.createDirectories(root.resolve("etc"));
    Files.createDirectories(root.resolve("lost+found"));
    Files.writeString(root.resolve("etc/os-release"), content);
    Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
    return root;
  }

  @Test
  void aMissThenAHitRestoresTheSameTreeWithoutLostAndFound() throws Exception {
    CacheKey key = cache.key(options("minbase"), new ReleaseFiles(null)).orElseThrow();
    Path target = Files.createDirectories(dir.resolve("target"));
    assertThat(cache.restore(key, target, "b9")).isFalse();

    cache.store(key, tree("built", "ID=debian\n"), "b1");

    assertThat(cache.restore(key, target, "b9")).isTrue();
    assertThat(Files.readString(target.resolve("etc/os-release"))).isEqualTo("ID=debian\n");
    assertThat(Files.readSymbolicLink(target.resolve("bin"))).isEqualTo(Path.of("usr/bin"));
    assertThat(target.resolve("lost+found")).doesNotExist();
  }

  @Test
  void theListsTheBootstrapLeftForInstallPackagesAreNotStored() throws Exception {
    CacheKey key = cache.key(options("minbase"), new ReleaseFiles(null)).orElseThrow();
    Path built = tree("built", "ID=debian\n");
    Path lists = Files.createDirectories(built.resolve("var/lib/apt/lists/partial"));
    Files.writeString(lists.resolveSibling("deb.debian.org_debian_dists_bookworm_InRelease"), "signed");
    Files.createDirectories(lists.resolveSibling("auxfiles"));
    Path target = Files.createDirectories(dir.resolve("target"));

    cache.store(key, built, "b1");

    assertThat(cache.restore(key, target, "b9")).isTrue();
    assertThat(target.resolve("var/lib/apt/lists/partial")).isEmptyDirectory();
    assertThat(Files.list(target.resolve("var/lib/apt/lists")).map(p -> p.getFileName().toString()))
        .containsExactly("partial");
  }

  @Test
  void theKeyChangesWithTheSuitesInReleaseAndWithWhatDebootstrapIsAsked() throws Exception {
    CacheKey before = cache.key(options("minbase"), new ReleaseFiles(null)).orElseThrow();
    assertThat(cache.key(options("minbase"), new ReleaseFiles(null)).orElseThrow()).isEqualTo(before);
    assertThat(cache.key(options("buildd"), new ReleaseFiles(null)).orElseThrow().digest()).isNotEqualTo(before.digest());
    cache.store(before, tree("built", "old"), "b1");

    Files.writeString(mirror.resolve("dists/bookworm/InRelease"), "Suite: stable\nDate: Sat, 17 May 2025\n");
    CacheKey after = cache.key(options("minbase"), new ReleaseFiles(null)).orElseThrow();

    assertThat(after.digest()).isNotEqualTo(before.digest());
    assertThat(cache.restore(after, Files.createDirectories(dir.resolve("target")), "b9")).isFalse();
  }

  @Test
  void anUnreadableInReleaseMeansNoCacheRatherThanAFailure() {
    assertThat(cache.key(new Debootstrapper.Options("nosuchsuite", mirror.toUri().toString(), "amd64", null,
        List.of(), keyring, false, Map.of()), new ReleaseFiles(null))).isEmpty();
  }

  @Test
  void aTreeIsAPlainTarUnlessCompressTreesAndAnEntryIsReadWhicheverWayItWasPacked() throws Exception {
    CacheKey plain = cache.key(options("minbase"), new ReleaseFiles(null)).orElseThrow();
    CacheKey compressed = cache.key(options("buildd"), new ReleaseFiles(null)).orElseThrow();
    cache.store(plain, tree("plain", "plain\n"), "b1");
    cache(DataSize.ofGigabytes(1), true).store(compressed, tree("compressed", "compressed\n"), "b2");

    assertThat(cache.dir().resolve(plain.digest()).resolve(BaseTreeCache.ARCHIVE)).exists();
    Path zst = cache.dir().resolve(compressed.digest()).resolve(BaseTreeCache.COMPRESSED_ARCHIVE);
    assertThat(Files.readAllBytes(zst)).startsWith(0x28, 0xB5, 0x2F, 0xFD); // zstd's magic number
    Path one = Files.createDirectories(dir.resolve("one"));
    Path two = Files.createDirectories(dir.resolve("two"));
    assertThat(cache(DataSize.ofGigabytes(1), true).restore(plain, one, "b9")).isTrue();
    assertThat(cache.restore(compressed, two, "b9")).isTrue();
    assertThat(Files.readString(one.resolve("etc/os-release"))).isEqualTo("plain\n");
    assertThat(Files.readString(two.resolve("etc/os-release"))).isEqualTo("compressed\n");
  }

  @Test
  void aCorruptEntryIsNeverUsedAndIsDropped() throws Exception {
    CacheKey key = cache.key(options("minbase"), new ReleaseFiles(null)).orElseThrow();
    cache.store(key, tree("built", "x".repeat(100_000)), "b1");
    Path archive = cache.dir().resolve(key.digest()).resolve(BaseTreeCache.ARCHIVE);
    byte[] bytes = Files.readAllBytes(archive);
    Files.write(archive, java.util.Arrays.copyOf(bytes, bytes.length / 2));

    assertThat(cache.restore(key, Files.createDirectories(dir.resolve("target")), "b9")).isFalse();
    assertThat(cache.dir().resolve(key.digest())).doesNotExist();
  }

  @Test
  void twoBuildsFillingTheSameEntryAtOnceLeaveOneCompleteEntry() throws Exception {
    CacheKey key = cache.key(options("minbase"), new ReleaseFiles(null)).orElseThrow();
    Path a = tree("a", "same\n");
    Path b = tree("b", "same\n");

    CompletableFuture.allOf(CompletableFuture.runAsync(() -> cache.store(key, a, "b1")),
        CompletableFuture.runAsync(() -> cache.store(key, b, "b2"))).join();

    assertThat(cache.entries().toList()).hasSize(1);
    try (var leftovers = Files.list(cache.dir())) {
      assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
    }
    Path target = Files.createDirectories(dir.resolve("target"));
    assertThat(cache.restore(key, target, "b9")).isTrue();
    assertThat(Files.readString(target.resolve("etc/os-release"))).isEqualTo("same\n");
  }

  @Test
  void theLeastRecentlyUsedEntriesGoWhenTheCacheOutgrowsItsLimit() throws Exception {
    CacheKey older = cache.key(options("minbase"), new ReleaseFiles(null)).orElseThrow();
    CacheKey newer = cache.key(options("buildd"), new ReleaseFiles(null)).orElseThrow();
    cache.store(older, tree("one", "1"), "b1");
    cache.store(newer, tree("two", "2"), "b2");
    Files.setLastModifiedTime(cache.dir().resolve(older.digest()).resolve(CacheStore.LAST_USED),
        FileTime.fromMillis(1_000));
    long oneEntry = CacheStore.size(cache.dir().resolve(newer.digest()));

    cache(DataSize.ofBytes(oneEntry)).evict();

    assertThat(cache.dir().resolve(older.digest())).doesNotExist();
    assertThat(cache.dir().resolve(newer.digest()).resolve(BaseTreeCache.ARCHIVE)).exists();
  }
}

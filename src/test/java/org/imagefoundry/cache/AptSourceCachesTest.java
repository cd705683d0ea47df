package org.imagefoundry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

class AptSourceCachesTest {

  static final String SOURCES = "deb http://repo.invalid/debian bookworm main\n";
  static final String IN_RELEASE = "repo.invalid_debian_dists_bookworm_InRelease";

  @TempDir Path dir;

  AptSourceCaches caches(boolean enabled) {
    FoundrySettings d = Settings.defaults();
    DataSize max = DataSize.ofGigabytes(1);
    FoundrySettings settings = new FoundrySettings(dir.resolve("build"), dir.resolve("data"), List.of(), null, "n", "R1/PT1S",
        d.incidentTimeout(), List.of(), d.timeouts(), d.limits(), new FoundrySettings.Cache(enabled, max, max, true,
        Duration.ZERO, false), null, true, d.health(), d.admin(), List.of());
    return new AptSourceCaches(settings, new CacheStore(settings));
  }

  /** A chroot with these sources, lists whose InRelease is {@code release}, and apt's cache directory. */
  Path chroot(String name, String sources, String release) throws Exception {
    Path root = dir.resolve(name);
    Files.createDirectories(root.resolve("etc/apt"));
    Files.writeString(root.resolve("etc/apt/sources.list"), sources);
    Path lists = Files.createDirectories(root.resolve("var/lib/apt/lists"));
    Files.writeString(lists.resolve(IN_RELEASE), release);
    Files.createDirectories(root.resolve("var/cache/apt"));
    return root;
  }

  static Path cache(Path root) {
    return root.resolve("var/cache/apt").resolve(AptSourceCaches.FILE);
  }

  /** A chroot whose apt parsed lists of {@code release} into {@code parsed}, kept by {@code caches}. */
  void keptFrom(AptSourceCaches caches, String name, String release, String parsed) throws Exception {
    Path root = chroot(name, SOURCES, release);
    Files.writeString(cache(root), parsed);
    caches.keep(root, "amd64", "keeper-" + name);
  }

  @Test
  void theSourceCacheOfOneBuildsListsIsLentAsACopyToTheNextWithTheSameConfigurationAndLists() throws Exception {
    AptSourceCaches caches = caches(true);

    keptFrom(caches, "first", "Release 1", "parsed lists 1");
    Path next = chroot("next", SOURCES, "Release 1");

    assertThat(caches.lend(next, "amd64", "b2")).isTrue();
    assertThat(cache(next)).hasContent("parsed lists 1");
    assertThat(Files.isSymbolicLink(cache(next))).isFalse();
    Files.writeString(cache(next), "changed by a package script");
    assertThat(caches.lend(chroot("third", SOURCES, "Release 1"), "amd64", "b3")).isTrue();
    assertThat(cache(dir.resolve("third"))).hasContent("parsed lists 1");
  }

  @Test
  void nothingIsLentForOtherListsOrAnotherAptConfigurationOrArchitectureOrWithTheCacheOff() throws Exception {
    AptSourceCaches caches = caches(true);
    keptFrom(caches, "first", "Release 1", "parsed lists 1");

    assertThat(caches.lend(chroot("newer", SOURCES, "Release 2"), "amd64", "b2")).isFalse();
    assertThat(caches.lend(chroot("other", SOURCES + "deb http://other.invalid/debian bookworm main\n", "Release 1"), "amd64", "b3"))
        .isFalse();
    assertThat(caches(false).lend(chroot("off", SOURCES, "Release 1"), "amd64", "b4")).isFalse();
    assertThat(caches.lend(chroot("arm64", SOURCES, "Release 1"), "arm64", "b5")).as("another architecture").isFalse();
    assertThat(cache(dir.resolve("newer"))).doesNotExist();
    assertThat(cache(dir.resolve("other"))).doesNotExist();
    assertThat(cache(dir.resolve("off"))).doesNotExist();
    assertThat(cache(dir.resolve("arm64"))).doesNotExist();
  }

  @Test
  void aNewGenerationsCacheMakesTheOlderOneOfItsConfigurationGo() throws Exception {
    AptSourceCaches caches = caches(true);
    keptFrom(caches, "first", "Release 1", "parsed lists 1");

    keptFrom(caches, "second", "Release 2", "parsed lists 2");

    assertThat(caches.lend(chroot("on-1", SOURCES, "Release 1"), "amd64", "b3")).isFalse();
    assertThat(caches.lend(chroot("on-2", SOURCES, "Release 2"), "amd64", "b4")).isTrue();
    assertThat(cache(dir.resolve("on-2"))).hasContent("parsed lists 2");
  }

  @Test
  void aCacheAnEarlierAttemptLeftIsClearedSoOnlyOneAptWritesAfterIsKept() throws Exception {
    AptSourceCaches caches = caches(true);
    Path retried = chroot("retried", SOURCES, "Release 1");
    Files.writeString(cache(retried), "planted by a package script");
    Files.writeString(retried.resolve("var/cache/apt/pkgcache.bin"), "planted too");

    caches.clear(retried);
    caches.keep(retried, "amd64", "b1");

    assertThat(cache(retried)).doesNotExist();
    assertThat(retried.resolve("var/cache/apt/pkgcache.bin")).doesNotExist();
    assertThat(caches.lend(chroot("next", SOURCES, "Release 1"), "amd64", "b2")).isFalse();
    Files.writeString(cache(retried), "written by apt");
    caches.keep(retried, "amd64", "b1");
    assertThat(caches.lend(chroot("later", SOURCES, "Release 1"), "amd64", "b3")).isTrue();
    assertThat(cache(dir.resolve("later"))).hasContent("written by apt");
  }

  @Test
  void aLinkInTheChrootIsNeitherReadNorWrittenThrough() throws Exception {
    AptSourceCaches caches = caches(true);
    Path host = Files.writeString(dir.resolve("host-secret"), "the host's file");
    Path linked = chroot("linked", SOURCES, "Release 1");
    Files.createSymbolicLink(cache(linked), host);

    caches.keep(linked, "amd64", "b1");

    Path honest = chroot("honest", SOURCES, "Release 1");
    assertThat(caches.lend(honest, "amd64", "b2")).isFalse();
    Files.writeString(cache(honest), "parsed lists 1");
    caches.keep(honest, "amd64", "b3");
    Path outside = Files.createDirectories(dir.resolve("host-dir"));
    Path escaping = chroot("escaping", SOURCES, "Release 1");
    Files.delete(escaping.resolve("var/cache/apt"));
    Files.createSymbolicLink(escaping.resolve("var/cache/apt"), outside);

    assertThat(caches.lend(escaping, "amd64", "b4")).isFalse();
    assertThat(outside).isEmptyDirectory();
    Path cleared = chroot("cleared", SOURCES, "Release 1");
    Files.createSymbolicLink(cache(cleared), host);
    caches.clear(cleared);
    assertThat(cache(cleared)).doesNotExist();
    assertThat(host).hasContent("the host's file");
    Path planted = chroot("planted", SOURCES, "Release 1");
    Files.createSymbolicLink(cache(planted), host);
    Path hostCache = Files.writeString(outside.resolve(AptSourceCaches.FILE), "the host's apt cache");
    caches.clear(escaping);
    assertThat(hostCache).hasContent("the host's apt cache");
    assertThat(caches.lend(planted, "amd64", "b5")).isTrue();
    assertThat(Files.isSymbolicLink(cache(planted))).isFalse();
    assertThat(cache(planted)).hasContent("parsed lists 1");
    assertThat(host).hasContent("the host's file");
    assertThat(Files.isRegularFile(cache(planted), LinkOption.NOFOLLOW_LINKS)).isTrue();
  }
}

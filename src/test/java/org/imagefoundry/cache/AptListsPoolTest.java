package org.imagefoundry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.imagefoundry.host.Gpgv;
import org.imagefoundry.host.ProcessCommandRunner;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.imagefoundry.testing.Settings;
import org.imagefoundry.testing.SignedRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

class AptListsPoolTest {

  static final String SOURCES = "deb " + SignedRepository.URI + " bookworm main\n";
  static final String RELEASE = SignedRepository.IN_RELEASE;
  static final String PACKAGES = SignedRepository.PACKAGES;

  @TempDir static Path keys;
  static SignedRepository repo;
  static SignedRepository stranger;

  @TempDir Path dir;

  @BeforeAll
  static void makeKeys() {
    repo = SignedRepository.create(keys.resolve("repo"));
    stranger = SignedRepository.create(keys.resolve("stranger"));
  }

  @AfterAll
  static void stopAgents() {
    repo.close();
    stranger.close();
  }

  static List<RepoSpec> repos() {
    return List.of(repo.repo());
  }

  AptListsPool pool(boolean enabled) {
    return pool(enabled, Duration.ZERO);
  }

  AptListsPool pool(boolean enabled, Duration releaseMaxAge) {
    FoundrySettings d = Settings.defaults();
    DataSize max = DataSize.ofGigabytes(1);
    FoundrySettings settings = new FoundrySettings(dir.resolve("build"), dir.resolve("data"), List.of(), null, "n", "R1/PT1S",
        d.incidentTimeout(), List.of(), d.timeouts(), d.limits(), new FoundrySettings.Cache(enabled, max, max, true, releaseMaxAge, false), null,
        true, d.health(), d.admin(), List.of());
    return new AptListsPool(settings, new CacheStore(settings), new SignedIndexes(new Gpgv(new ProcessCommandRunner())));
  }

  /** A chroot with these apt sources and pins, and, when packages are given, the signed lists apt-get update left. */
  Path chroot(String name, String sources, String pins, String packages) throws Exception {
    Path root = dir.resolve(name);
    Files.createDirectories(root.resolve("etc/apt/preferences.d"));
    Files.writeString(root.resolve("etc/apt/sources.list"), sources);
    Files.writeString(root.resolve("etc/apt/preferences.d/pins"), pins);
    Path lists = Files.createDirectories(root.resolve("var/lib/apt/lists/partial")).getParent();
    Files.writeString(lists.resolve("lock"), "");
    if (packages != null) {
      repo.writeLists(lists, packages);
    }
    return root;
  }

  @Test
  void listsOneBuildFetchedAreLentToTheNextOfTheSameSourcesWhateverItsPins() throws Exception {
    AptListsPool pool = pool(true);
    assertThat(pool.lend(chroot("first", SOURCES, "", null), "amd64", "b9")).isFalse();
    pool.keep(chroot("updated", SOURCES, "", "Package: less"), "amd64", repos(), "b1");

    Path next = chroot("next", SOURCES, "Package: *\nPin: release n=bookworm\nPin-Priority: 1001\n", null);
    assertThat(pool.lend(next, "amd64", "b9")).isTrue();

    Path lists = next.resolve("var/lib/apt/lists");
    assertThat(lists.resolve(RELEASE)).content().contains("BEGIN PGP SIGNED MESSAGE");
    assertThat(lists.resolve(PACKAGES)).hasContent("Package: less");
    assertThat(Files.list(pool.dir()).findFirst().orElseThrow()).isDirectoryNotContaining("glob:**/lock");
  }

  @Test
  void listsKeptForOneArchitectureAreNeverLentToAnotherOfTheSameSources() throws Exception {
    AptListsPool pool = pool(true, Duration.ofSeconds(60));
    // an arm64 build's update, just now: its lists hold no amd64 index, whatever its sources say
    pool.keep(chroot("arm64", SOURCES, "", "Package: less"), "arm64", repos(), "b1");

    Path amd64 = chroot("amd64", SOURCES, "", null);
    assertThat(pool.lend(amd64, "amd64", "b2")).isFalse();
    assertThat(amd64.resolve("var/lib/apt/lists")).isDirectoryNotContaining("glob:**{Packages,InRelease}");
    Path arm64 = chroot("next-arm64", SOURCES, "", null);
    assertThat(pool.lend(arm64, "arm64", "b3")).isTrue();
    assertThat(pool.current(arm64, "arm64", repos())).isTrue();
    assertThat(pool.current(arm64, "amd64", repos())).as("the same lists, asked for amd64").isFalse();
  }

  @Test
  void listsAnUpdateConfirmedWithinTheReleaseMaxAgeAreCurrentAndNoLongerAfterIt() throws Exception {
    AptListsPool pool = pool(true, Duration.ofSeconds(60));
    pool.keep(chroot("updated", SOURCES, "", "Package: less"), "amd64", repos(), "b1");
    Path next = chroot("next", SOURCES, "", null);
    assertThat(pool.lend(next, "amd64", "b9")).isTrue();

    assertThat(pool.current(next, "amd64", repos())).isTrue();

    try (var entries = Files.list(pool.dir())) {
      Path generation = Files.list(entries.findFirst().orElseThrow()).findFirst().orElseThrow();
      Files.setLastModifiedTime(generation, FileTime.from(Instant.now().minusSeconds(61)));
    }
    assertThat(pool.current(next, "amd64", repos())).as("confirmed 61 s ago").isFalse();
    pool.keep(next, "amd64", repos(), "b9");
    assertThat(pool.current(next, "amd64", repos())).as("confirmed again by the next update").isTrue();
  }

  @Test
  void listsAreNeverCurrentWithoutAMaxAgeForATrustedRepoOrWhenTheChrootHoldsOthers() throws Exception {
    pool(true, Duration.ofSeconds(60)).keep(chroot("updated", SOURCES, "", "Package: less"), "amd64", repos(), "b1");
    Path next = chroot("next", SOURCES, "", null);
    assertThat(pool(true, Duration.ofSeconds(60)).lend(next, "amd64", "b9")).isTrue();

    assertThat(pool(true, Duration.ZERO).current(next, "amd64", repos())).as("max age 0").isFalse();
    RepoSpec trusted = new RepoSpec("t", "http://127.0.0.1:9/t", "bookworm", "main", null, "deb", true, null);
    assertThat(pool(true, Duration.ofSeconds(60)).current(next, "amd64", List.of(repo.repo(), trusted))).as("a trusted repo").isFalse();
    Path other = chroot("other", SOURCES, "", "Package: less\nVersion: 3");
    assertThat(pool(true, Duration.ofSeconds(60)).current(other, "amd64", repos())).as("lists no update kept").isFalse();
  }

  @Test
  void aNewInReleaseRefreshesThePoolAndTheOldListsGo() throws Exception {
    AptListsPool pool = pool(true);
    pool.keep(chroot("old", SOURCES, "", "Package: less\nVersion: 1"), "amd64", repos(), "b1");
    pool.keep(chroot("new", SOURCES, "", "Package: less\nVersion: 2"), "amd64", repos(), "b2");

    Path next = chroot("next", SOURCES, "", null);
    assertThat(pool.lend(next, "amd64", "b9")).isTrue();

    assertThat(next.resolve("var/lib/apt/lists").resolve(PACKAGES)).hasContent("Package: less\nVersion: 2");
    try (var entries = Files.list(pool.dir())) {
      Path entry = entries.findFirst().orElseThrow();
      assertThat(Files.list(entry).toList()).hasSize(1);
    }
  }

  @Test
  void otherSourcesAreLentNothing() throws Exception {
    AptListsPool pool = pool(true);
    pool.keep(chroot("updated", SOURCES, "", "Package: less"), "amd64", repos(), "b1");

    Path other = chroot("other", SOURCES + "deb http://other.example.invalid/debian bookworm main\n", "", null);

    assertThat(pool.lend(other, "amd64", "b9")).isFalse();
    assertThat(other.resolve("var/lib/apt/lists").resolve(PACKAGES)).doesNotExist();
  }

  @Test
  void aLinkInTheListsNamesAHostPathAndIsNeitherKeptNorLent() throws Exception {
    AptListsPool pool = pool(true);
    Path secret = Files.writeString(dir.resolve("host-secret"), "host only");
    Path updated = chroot("updated", SOURCES, "", "Package: less");
    Files.createSymbolicLink(updated.resolve("var/lib/apt/lists/evil_Packages"), secret);

    pool.keep(updated, "amd64", repos(), "b1");
    Path next = chroot("next", SOURCES, "", null);
    assertThat(pool.lend(next, "amd64", "b9")).isTrue();

    assertThat(next.resolve("var/lib/apt/lists/evil_Packages")).doesNotExist();
    try (var files = Files.walk(pool.dir())) {
      assertThat(files.filter(Files::isRegularFile)).noneMatch(f -> f.getFileName().toString().startsWith("evil"));
    }
  }

  @Test
  void listsLeadingOutOfTheChrootAreNotKept() throws Exception {
    AptListsPool pool = pool(true);
    Path outside = chroot("outside", SOURCES, "", "Package: less").resolve("var/lib/apt/lists");
    Path updated = chroot("updated", SOURCES, "", null);
    Path lists = updated.resolve("var/lib/apt/lists");
    org.springframework.util.FileSystemUtils.deleteRecursively(lists);
    Files.createSymbolicLink(lists, outside);

    pool.keep(updated, "amd64", repos(), "b1");

    assertThat(pool.lend(chroot("next", SOURCES, "", null), "amd64", "b9")).isFalse();
  }

  @Test
  void withTheCachesOffNothingIsKeptOrLent() throws Exception {
    AptListsPool pool = pool(false);
    pool.keep(chroot("updated", SOURCES, "", "Package: less"), "amd64", repos(), "b1");

    assertThat(pool.lend(chroot("next", SOURCES, "", null), "amd64", "b9")).isFalse();
    assertThat(pool.dir()).doesNotExist();
  }

  @Test
  void onlyListsASignedInReleaseOfTheBuildsReposVouchesForAreKept() throws Exception {
    AptListsPool pool = pool(true);
    Path updated = chroot("updated", SOURCES, "", "Package: less\n");
    Path lists = updated.resolve("var/lib/apt/lists");
    // what a package script could leave: a Packages index the InRelease does not name, another repo's lists
    Files.writeString(lists.resolve(PACKAGES.replace("_main_", "_contrib_")), "Package: forged\n");
    Files.writeString(lists.resolve("other.invalid_debian_dists_bookworm_InRelease"), "Origin: forged\n");

    pool.keep(updated, "amd64", repos(), "b1");
    Path next = chroot("next", SOURCES, "", null);
    assertThat(pool.lend(next, "amd64", "b9")).isTrue();

    try (var files = Files.list(next.resolve("var/lib/apt/lists"))) {
      assertThat(files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder(RELEASE, PACKAGES, "lock");
    }
  }

  @Test
  void keptListsBearTheDateTheirInReleaseSignedNotTheTimeAScriptGaveThem() throws Exception {
    AptListsPool pool = pool(true);
    Path updated = chroot("updated", SOURCES, "", "Package: less\n");
    Path lists = updated.resolve("var/lib/apt/lists");
    // a time in the future would make another build's apt ask the mirror only for what changed after it
    for (String name : List.of(RELEASE, PACKAGES)) {
      Files.setLastModifiedTime(lists.resolve(name), java.nio.file.attribute.FileTime.fromMillis(4102444800000L));
    }

    pool.keep(updated, "amd64", repos(), "b1");
    Path next = chroot("next", SOURCES, "", null);
    assertThat(pool.lend(next, "amd64", "b9")).isTrue();

    for (String name : List.of(RELEASE, PACKAGES)) {
      assertThat(Files.getLastModifiedTime(next.resolve("var/lib/apt/lists").resolve(name)).toInstant())
          .isEqualTo(SignedRepository.DATE);
    }
  }

  @Test
  void listsOfAnInReleaseWithoutTheReposSignatureAreNotKept() throws Exception {
    AptListsPool pool = pool(true);
    Path updated = chroot("updated", SOURCES, "", "Package: less\n");
    Path lists = updated.resolve("var/lib/apt/lists");
    Files.writeString(lists.resolve(PACKAGES), "Package: forged\n");
    Files.write(lists.resolve(RELEASE), stranger.clearsign(SignedRepository.release(
        java.util.Map.of("main/binary-amd64/Packages", "Package: forged\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)))));

    pool.keep(updated, "amd64", repos(), "b1");

    assertThat(pool.lend(chroot("next", SOURCES, "", null), "amd64", "b9")).isFalse();
  }
}

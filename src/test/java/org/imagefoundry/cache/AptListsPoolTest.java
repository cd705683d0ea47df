package org.imagefoundry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.FoundrySettings;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

class AptListsPoolTest {

  static final String SOURCES = "deb http://deb.example.invalid/debian bookworm main\n";
  static final String RELEASE = "deb.example.invalid_debian_dists_bookworm_InRelease";
  static final String PACKAGES = "deb.example.invalid_debian_dists_bookworm_main_binary-amd64_Packages";

  @TempDir Path dir;

  AptListsPool pool(boolean enabled) {
    FoundrySettings d = Settings.defaults();
    DataSize max = DataSize.ofGigabytes(1);
    return new AptListsPool(new FoundrySettings(dir.resolve("build"), dir.resolve("data"), List.of(), null, "n", "R1/PT1S",
        d.incidentTimeout(), List.of(), d.timeouts(), d.limits(), new FoundrySettings.Cache(enabled, max, max, true), null,
        true, d.health(), d.admin(), List.of()));
  }

  /** A chroot with these apt sources and pins, and, when a release is given, the lists apt-get update left. */
  Path chroot(String name, String sources, String pins, String release, String packages) throws Exception {
    Path root = dir.resolve(name);
    Files.createDirectories(root.resolve("etc/apt/preferences.d"));
    Files.writeString(root.resolve("etc/apt/sources.list"), sources);
    Files.writeString(root.resolve("etc/apt/preferences.d/pins"), pins);
    Path lists = Files.createDirectories(root.resolve("var/lib/apt/lists/partial")).getParent();
    Files.writeString(lists.resolve("lock"), "");
    if (release != null) {
      Files.writeString(lists.resolve(RELEASE), release);
      Files.writeString(lists.resolve(PACKAGES), packages);
    }
    return root;
  }

  @Test
  void listsOneBuildFetchedAreLentToTheNextOfTheSameSourcesWhateverItsPins() throws Exception {
    AptListsPool pool = pool(true);
    assertThat(pool.lend(chroot("first", SOURCES, "", null, null))).isFalse();
    pool.keep(chroot("updated", SOURCES, "", "Date: 1", "Package: less"), "b1");

    Path next = chroot("next", SOURCES, "Package: *\nPin: release n=bookworm\nPin-Priority: 1001\n", null, null);
    assertThat(pool.lend(next)).isTrue();

    Path lists = next.resolve("var/lib/apt/lists");
    assertThat(lists.resolve(RELEASE)).hasContent("Date: 1");
    assertThat(lists.resolve(PACKAGES)).hasContent("Package: less");
    assertThat(Files.list(pool.dir()).findFirst().orElseThrow()).isDirectoryNotContaining("glob:**/lock");
  }

  @Test
  void aNewInReleaseRefreshesThePoolAndTheOldListsGo() throws Exception {
    AptListsPool pool = pool(true);
    pool.keep(chroot("old", SOURCES, "", "Date: 1", "Package: less\nVersion: 1"), "b1");
    pool.keep(chroot("new", SOURCES, "", "Date: 2", "Package: less\nVersion: 2"), "b2");

    Path next = chroot("next", SOURCES, "", null, null);
    assertThat(pool.lend(next)).isTrue();

    assertThat(next.resolve("var/lib/apt/lists").resolve(PACKAGES)).hasContent("Package: less\nVersion: 2");
    try (var entries = Files.list(pool.dir())) {
      Path entry = entries.findFirst().orElseThrow();
      assertThat(Files.list(entry).toList()).hasSize(1);
    }
  }

  @Test
  void otherSourcesAreLentNothing() throws Exception {
    AptListsPool pool = pool(true);
    pool.keep(chroot("updated", SOURCES, "", "Date: 1", "Package: less"), "b1");

    Path other = chroot("other", SOURCES + "deb http://other.example.invalid/debian bookworm main\n", "", null, null);

    assertThat(pool.lend(other)).isFalse();
    assertThat(other.resolve("var/lib/apt/lists").resolve(PACKAGES)).doesNotExist();
  }

  @Test
  void aLinkInTheListsNamesAHostPathAndIsNeitherKeptNorLent() throws Exception {
    AptListsPool pool = pool(true);
    Path secret = Files.writeString(dir.resolve("host-secret"), "host only");
    Path updated = chroot("updated", SOURCES, "", "Date: 1", "Package: less");
    Files.createSymbolicLink(updated.resolve("var/lib/apt/lists/evil_Packages"), secret);

    pool.keep(updated, "b1");
    Path next = chroot("next", SOURCES, "", null, null);
    assertThat(pool.lend(next)).isTrue();

    assertThat(next.resolve("var/lib/apt/lists/evil_Packages")).doesNotExist();
    try (var files = Files.walk(pool.dir())) {
      assertThat(files.filter(Files::isRegularFile)).noneMatch(f -> f.getFileName().toString().startsWith("evil"));
    }
  }

  @Test
  void listsLeadingOutOfTheChrootAreNotKept() throws Exception {
    AptListsPool pool = pool(true);
    Path outside = chroot("outside", SOURCES, "", "Date: 1", "Package: less").resolve("var/lib/apt/lists");
    Path updated = chroot("updated", SOURCES, "", null, null);
    Path lists = updated.resolve("var/lib/apt/lists");
    org.springframework.util.FileSystemUtils.deleteRecursively(lists);
    Files.createSymbolicLink(lists, outside);

    pool.keep(updated, "b1");

    assertThat(pool.lend(chroot("next", SOURCES, "", null, null))).isFalse();
  }

  @Test
  void withTheCachesOffNothingIsKeptOrLent() throws Exception {
    AptListsPool pool = pool(false);
    pool.keep(chroot("updated", SOURCES, "", "Date: 1", "Package: less"), "b1");

    assertThat(pool.lend(chroot("next", SOURCES, "", null, null))).isFalse();
    assertThat(pool.dir()).doesNotExist();
  }
}

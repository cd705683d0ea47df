package org.imagefoundry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.FoundrySettings;
import org.imagefoundry.host.Workspace;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

class PackagePoolTest {

  @TempDir Path dir;

  PackagePool pool(DataSize max) {
    FoundrySettings d = Settings.defaults();
    return new PackagePool(new FoundrySettings(dir.resolve("build"), dir.resolve("data"), List.of(), null, "n", "R1/PT1S",
        d.incidentTimeout(), List.of(), d.timeouts(), d.limits(), new FoundrySettings.Cache(true, max, max, true), null,
        true, d.health(), d.admin(), List.of()));
  }

  @Test
  void whatOneBuildDownloadedIsLentToTheNextAsHardLinks() throws Exception {
    PackagePool pool = pool(DataSize.ofGigabytes(1));
    Workspace first = new Workspace("b1", dir.resolve("build/b1"));
    Path archives = pool.lend(first);
    assertThat(archives.resolve("partial")).isDirectory();
    Files.writeString(archives.resolve("less_590-2_amd64.deb"), "deb");

    pool.collect(first);
    Path lent = pool.lend(new Workspace("b2", dir.resolve("build/b2"))).resolve("less_590-2_amd64.deb");

    assertThat(lent).hasContent("deb");
    assertThat(Files.getAttribute(lent, "unix:nlink")).isEqualTo(3);
  }

  @Test
  void thePoolIsTrimmedOldestFirst() throws Exception {
    PackagePool pool = pool(DataSize.ofBytes(4));
    Workspace build = new Workspace("b1", dir.resolve("build/b1"));
    Path archives = pool.lend(build);
    Files.writeString(archives.resolve("old_1_amd64.deb"), "old");
    Files.setLastModifiedTime(archives.resolve("old_1_amd64.deb"), java.nio.file.attribute.FileTime.fromMillis(1000));
    Files.writeString(archives.resolve("new_1_amd64.deb"), "new");

    pool.collect(build);

    assertThat(pool.dir().resolve("old_1_amd64.deb")).doesNotExist();
    assertThat(pool.dir().resolve("new_1_amd64.deb")).exists();
  }
}

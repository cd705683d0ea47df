package org.imagefoundry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.imagefoundry.host.Debootstrapper.PackageFile;
import org.imagefoundry.testing.FileServer;
import org.imagefoundry.testing.FileServer.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Package files fetched several at a time: only complete files of the size asked for, no redirect followed. */
class PackageFetcherTest {

  static final byte[] DEB = "a package".getBytes(StandardCharsets.UTF_8);

  final FileServer mirror = FileServer.answering(uri -> {
    String name = uri.getPath().replaceAll(".*/", "");
    if (name.startsWith("moved")) {
      return Answer.redirect("http://elsewhere.invalid/" + name);
    }
    if (name.startsWith("gone")) {
      return Answer.notFound();
    }
    if (name.startsWith("slow")) {
      try {
        Thread.sleep(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return Answer.ok(name.startsWith("long") ? "a package and then some more".getBytes(StandardCharsets.UTF_8) : DEB);
  });
  @TempDir Path dir;

  @AfterEach
  void stop() {
    mirror.close();
  }

  PackageFile file(String name) {
    return new PackageFile(URI.create(mirror.uri() + "/debian/pool/" + name), name, DEB.length);
  }

  @Test
  void manyFilesArriveEachUnderItsName() {
    List<PackageFile> files = new ArrayList<>();
    for (int i = 0; i < 3 * PackageFetcher.PARALLEL; i++) {
      files.add(file("p" + i + "_1_amd64.deb"));
    }

    int fetched = new PackageFetcher().fetch(files, dir, null);

    assertThat(fetched).isEqualTo(files.size());
    for (PackageFile file : files) {
      assertThat(dir.resolve(file.fileName())).hasBinaryContent(DEB);
    }
  }

  @Test
  void aLongerAnswerANotFoundAndARedirectLeaveNothing() {
    int fetched = new PackageFetcher().fetch(List.of(file("long_1_amd64.deb"), file("gone_1_amd64.deb"),
        file("moved_1_amd64.deb"), file("ok_1_amd64.deb")), dir, null);

    assertThat(fetched).isEqualTo(1);
    assertThat(dir.toFile().list()).containsExactly("ok_1_amd64.deb");
    assertThat(mirror.asked()).hasSize(4);
  }

  @Test
  void whatIsNotFetchedWithinTheTimeLimitIsLeftToApt() {
    int fetched = new PackageFetcher(Duration.ofMillis(500)).fetch(List.of(file("slow_1_amd64.deb"),
        file("ok_1_amd64.deb")), dir, null);

    assertThat(fetched).isEqualTo(1);
    assertThat(dir.toFile().list()).containsExactly("ok_1_amd64.deb");
  }
}

package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trees copied by the real cp: everything under the source, as it is, into a directory that exists. */
class TreeArchivesTest {

  final TreeArchives trees = new TreeArchives(new ProcessCommandRunner(), Settings.defaults());

  @Test
  void aCopyKeepsModesTimesHardLinksAndSymbolicLinksAsLinksAndMergesIntoTheTarget(@TempDir Path dir) throws Exception {
    Path from = Files.createDirectories(dir.resolve("from"));
    Path to = Files.createDirectories(dir.resolve("to/var")).getParent();
    Files.writeString(to.resolve("var/kept"), "already there");
    Files.createDirectories(from.resolve("usr/bin"));
    Path tool = Files.writeString(from.resolve("usr/bin/tool"), "#!/bin/sh\n");
    Files.setAttribute(tool, "unix:mode", 04750); // setuid, as a package's may be
    Files.setLastModifiedTime(tool, FileTime.from(Instant.parse("2023-06-10T00:00:00Z")));
    Files.createLink(from.resolve("usr/bin/same-tool"), tool);
    Files.createSymbolicLink(from.resolve("bin"), Path.of("usr/bin"));
    Files.createSymbolicLink(from.resolve("secret"), dir.resolve("outside"));
    Files.writeString(dir.resolve("outside"), "not to be copied");
    Files.createDirectories(from.resolve("var/lib/dpkg"));
    Files.writeString(from.resolve("var/lib/dpkg/status"), "Package: less\n");

    trees.copy(from, to);

    Path copied = to.resolve("usr/bin/tool");
    assertThat(Files.readString(copied)).isEqualTo("#!/bin/sh\n");
    assertThat((int) Files.getAttribute(copied, "unix:mode") & 07777).isEqualTo(04750);
    assertThat(Files.getLastModifiedTime(copied).toInstant()).isEqualTo(Instant.parse("2023-06-10T00:00:00Z"));
    assertThat(Files.isSameFile(copied, to.resolve("usr/bin/same-tool"))).isTrue();
    assertThat(Files.readSymbolicLink(to.resolve("bin"))).isEqualTo(Path.of("usr/bin"));
    assertThat(Files.isSymbolicLink(to.resolve("secret"))).isTrue();
    assertThat(Files.readString(to.resolve("var/lib/dpkg/status"))).isEqualTo("Package: less\n");
    assertThat(Files.readString(to.resolve("var/kept"))).isEqualTo("already there");
  }
}

package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Trees packed and unpacked by the real tar, plain or with zstd as the archive's name says; copied by the
 * real cp: everything under the source, as it is, into a directory that exists.
 */
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

  @ParameterizedTest
  @ValueSource(strings = {"tree.tar", "tree.tar.zst"})
  void aPackedTreeUnpacksWithModesTimesLinksAndWithoutWhatIsLeftOut(String name, @TempDir Path dir) throws Exception {
    Path from = Files.createDirectories(dir.resolve("from/usr/bin"));
    Path tool = Files.writeString(from.resolve("tool"), "#!/bin/sh\n");
    Files.setAttribute(tool, "unix:mode", 04750);
    Files.setLastModifiedTime(tool, FileTime.from(Instant.parse("2023-06-10T00:00:00Z")));
    Files.createSymbolicLink(dir.resolve("from/bin"), Path.of("usr/bin"));
    Files.createDirectories(dir.resolve("from/lost+found"));
    Files.createDirectories(dir.resolve("from/var/lib/apt/lists"));
    Files.writeString(dir.resolve("from/var/lib/apt/lists/x_Packages"), "left out");
    Path archive = dir.resolve(name);

    trees.pack(dir.resolve("from"), archive, List.of("./var/lib/apt/lists/*_*"));
    Path to = Files.createDirectories(dir.resolve("to"));
    trees.unpack(archive, to);

    assertThat(Files.readAllBytes(archive)).satisfies(bytes -> assertThat(bytes.length > 4 && bytes[0] == 0x28
        && bytes[1] == (byte) 0xB5).as("zstd's magic number").isEqualTo(name.endsWith(".zst")));
    Path copied = to.resolve("usr/bin/tool");
    assertThat(Files.readString(copied)).isEqualTo("#!/bin/sh\n");
    assertThat((int) Files.getAttribute(copied, "unix:mode") & 07777).isEqualTo(04750);
    assertThat(Files.getLastModifiedTime(copied).toInstant()).isEqualTo(Instant.parse("2023-06-10T00:00:00Z"));
    assertThat(Files.readSymbolicLink(to.resolve("bin"))).isEqualTo(Path.of("usr/bin"));
    assertThat(to.resolve("lost+found")).doesNotExist();
    assertThat(to.resolve("var/lib/apt/lists/x_Packages")).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(strings = {"tree.tar", "tree.tar.zst"})
  void aTruncatedArchiveFailsToUnpack(String name, @TempDir Path dir) throws Exception {
    Path from = Files.createDirectories(dir.resolve("from/etc"));
    Files.writeString(from.resolve("os-release"), "x".repeat(100_000));
    Path archive = dir.resolve(name);
    trees.pack(dir.resolve("from"), archive);
    byte[] bytes = Files.readAllBytes(archive);
    Files.write(archive, Arrays.copyOf(bytes, bytes.length / 2));

    assertThatThrownBy(() -> trees.unpack(archive, Files.createDirectories(dir.resolve("to"))))
        .isInstanceOf(CommandFailedException.class);
  }

  @Test
  void anArchiveNamedOtherwiseIsRefused() {
    assertThatThrownBy(() -> TreeArchives.compression(Path.of("tree.tgz"))).isInstanceOf(IllegalArgumentException.class);
  }
}

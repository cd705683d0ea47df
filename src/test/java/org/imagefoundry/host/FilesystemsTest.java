package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;

class FilesystemsTest {

  final FakeHost host = new FakeHost();
  final Filesystems filesystems = new Filesystems(host, Settings.defaults());

  @Test
  void extGetsForceFlagOptionsAndLabel() {
    filesystems.make("/dev/loop0", "ext4", List.of("-O", "^metadata_csum"), "root");

    assertThat(host.commands()).containsExactly(List.of("mkfs.ext4", "-F", "-O", "^metadata_csum", "-L", "root", "/dev/loop0"));
  }

  @Test
  void xfsNeedsLowerCaseForce() {
    filesystems.make("/dev/loop1", "xfs", List.of(), null);

    assertThat(host.commands()).containsExactly(List.of("mkfs.xfs", "-f", "/dev/loop1"));
  }

  @Test
  void probeAsksBlkidWithoutItsCache() {
    filesystems.make("/dev/loop0", "ext4", List.of(), null);

    assertThat(filesystems.probe("/dev/loop0")).isEqualTo("ext4");
    assertThat(host.commands().get(1))
        .containsExactly("blkid", "--probe", "--match-tag", "TYPE", "--output", "value", "/dev/loop0");
  }

  @Test
  void onlyExt3AndExt4AreMountedWithoutBarriersWhileTheyAreBuilt() {
    assertThat(Filesystems.buildMountOptions("ext4")).containsExactly("nobarrier");
    assertThat(Filesystems.buildMountOptions("ext3")).containsExactly("nobarrier");
    assertThat(Filesystems.buildMountOptions("ext2")).isEmpty();
    assertThat(Filesystems.buildMountOptions("xfs")).isEmpty();
  }

  @Test
  void journalIsToggledOnlyWhereThereIsOne() {
    filesystems.disableJournal("/dev/loop0", "ext4");
    filesystems.disableJournal("/dev/loop1", "ext2");
    filesystems.disableJournal("/dev/loop2", "xfs");

    assertThat(host.commands()).containsExactly(List.of("tune2fs", "-O", "^has_journal", "/dev/loop0"));
  }

  @Test
  void theJournalIsAddedBackToTheImageFileWithoutAnFsync() {
    filesystems.enableJournal(Path.of("/build/images/0.img"), "ext4");
    filesystems.enableJournal(Path.of("/build/images/1.img"), "xfs");

    assertThat(host.ran()).singleElement().satisfies(command -> {
      assertThat(command.args()).containsExactly("tune2fs", "-O", "has_journal", "/build/images/0.img");
      assertThat(command.env()).containsEntry("LD_PRELOAD", Command.EATMYDATA);
    });
  }

  @Test
  void anOptionThatNamesAFileNeverReachesMkfs() {
    for (List<String> options : List.of(List.of("-d", "/etc"), List.of("-z", "undo"), List.of("-E", "root_owner=0:0"))) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> filesystems.make("/dev/loop0", "ext4", options, null))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(options.get(0));
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> filesystems.make("/dev/loop0", "xfs",
        List.of("-p", "/etc/proto"), null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(host.commands()).isEmpty();
  }

  @Test
  void theEfiSystemPartitionIsFat32() {
    filesystems.makeEfiSystem("/dev/loop0p2");

    assertThat(host.commands()).containsExactly(List.of("mkfs.vfat", "-F", "32", "-n", "EFI", "/dev/loop0p2"));
  }
}

package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real debugfs on a small ext4 image file that mkfs.ext4 -d filled: nothing is mounted. */
class ExtFilesTest {

  static final String OLD_HASH = "$6$another$build-s-root-password-hash";

  @TempDir Path dir;
  final ProcessCommandRunner runner = new ProcessCommandRunner();
  final ExtFiles extFiles = new ExtFiles(runner, Settings.defaults());
  Path image;
  Path scratch;

  @BeforeEach
  void setUp() throws Exception {
    Path tree = Files.createDirectories(dir.resolve("tree/etc"));
    Files.writeString(tree.resolve("shadow"), "root:" + OLD_HASH + ":20000:0:99999:7:::\ndaemon:*:20000:0:99999:7:::\n");
    Files.writeString(tree.resolve("hostname"), "localhost\n");
    image = dir.resolve("0.img");
    scratch = Files.createDirectories(dir.resolve("scratch"));
    runner.run(Command.of(Settings.defaults().timeouts().command(), "mkfs.ext4", "-q", "-d", dir.resolve("tree").toString(),
        image.toString(), "8M"));
    // as Debian has it: root:shadow 0640, set in the image as debugfs would find it (the owner too: mkfs.ext4 -d
    // copies the tree's owner, which is not root when the tests run as a user)
    runner.run(Command.of(Settings.defaults().timeouts().command(), "debugfs", "-w", "-R",
        "set_inode_field /etc/shadow mode 0100640", image.toString()));
    runner.run(Command.of(Settings.defaults().timeouts().command(), "debugfs", "-w", "-R",
        "set_inode_field /etc/shadow uid 0", image.toString()));
    runner.run(Command.of(Settings.defaults().timeouts().command(), "debugfs", "-w", "-R",
        "set_inode_field /etc/shadow gid 42", image.toString()));
  }

  @Test
  void aFileIsReadFromTheUnmountedImage() {
    assertThat(extFiles.read(image, "/etc/hostname", scratch)).isEqualTo("localhost\n");
    assertThat(scratch).isEmptyDirectory();
  }

  @Test
  void aReplacedFileHasTheNewContentWithTheModeOwnerAndGroupItHadTheOldContentIsGoneAndTheFilesystemStaysClean() throws Exception {
    assertThat(new String(Files.readAllBytes(image), java.nio.charset.StandardCharsets.ISO_8859_1)).contains(OLD_HASH);
    assertThat(extFiles.attributes(image, "/etc/shadow")).isEqualTo(new ExtFiles.Attributes("0640", "0", "42"));
    String longer = "root:$6$salt$" + "h".repeat(86) + ":20000:0:99999:7:::\ndaemon:*:20000:0:99999:7:::\n";

    extFiles.replace(image, "/etc/shadow", longer, scratch);

    assertThat(extFiles.read(image, "/etc/shadow", scratch)).isEqualTo(longer);
    assertThat(extFiles.attributes(image, "/etc/shadow")).isEqualTo(new ExtFiles.Attributes("0640", "0", "42"));
    assertThat(extFiles.read(image, "/etc/hostname", scratch)).isEqualTo("localhost\n");
    CommandResult check = runner.run(Command.of(Settings.defaults().timeouts().command(), "e2fsck", "-f", "-n",
        image.toString()).okExitCodes(0, 1, 2, 4, 8));
    assertThat(check.exitCode()).as(check.output()).isZero();
    // the old file's blocks were zeroed before they were freed
    assertThat(new String(Files.readAllBytes(image), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(OLD_HASH);
    assertThat(scratch).isEmptyDirectory();
  }

  @Test
  void everyDebugfsRunsWithoutItsFsync() {
    List<Command> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExtFiles recorded = new ExtFiles(new ProcessCommandRunner() {
      @Override
      public CommandResult run(Command command) {
        seen.add(command);
        return super.run(command);
      }
    }, Settings.defaults());

    recorded.replace(image, "/etc/hostname", "another\n", scratch);

    assertThat(seen).extracting(Command::program).containsOnly("debugfs").hasSizeGreaterThan(3);
    assertThat(seen).allSatisfy(command -> assertThat(command.env()).containsEntry("LD_PRELOAD", Command.EATMYDATA));
  }

  @Test
  void aMissingFileIsAnErrorNotAnEmptyFile() {
    assertThatThrownBy(() -> extFiles.read(image, "/etc/nothere", scratch)).hasMessageContaining("/etc/nothere is not in");
    assertThatThrownBy(() -> extFiles.replace(image, "/etc/nothere", "x", scratch)).hasMessageContaining("/etc/nothere is not in");
  }

  @Test
  void aPathDebugfsWouldSplitIsRefusedBeforeAnythingRuns() {
    for (String path : List.of("/etc/sha dow", "/etc/shadow\nrm /etc/hostname", "etc/shadow", "/etc/\"shadow\"")) {
      assertThatThrownBy(() -> extFiles.read(image, path, scratch)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(extFiles.read(image, "/etc/hostname", scratch)).isEqualTo("localhost\n");
  }

  @Test
  void aFilesPlacementGivesItsBytesAndItsInodeBlockWithAnotherSizeRewritesItInACopyThatStaysClean() throws Exception {
    String shadow = extFiles.read(image, "/etc/shadow", scratch);
    ExtFiles.Placement at = extFiles.placement(image, "/etc/shadow", scratch).orElseThrow();
    assertThat(at.size()).isEqualTo(shadow.length());
    assertThat(at.content()).isEqualTo(shadow);
    byte[] before = Files.readAllBytes(image);
    String longer = "root:$6$salt$" + "h".repeat(86) + ":20000:0:99999:7:::\ndaemon:*:20000:0:99999:7:::\n";
    assertThat((long) longer.length()).isLessThanOrEqualTo(at.capacity());

    byte[] inodeBlock = extFiles.inodeBlockWithSize(image, at, longer.length(), scratch);

    // the image itself is only read, and the scratch holds nothing after
    assertThat(Files.readAllBytes(image)).isEqualTo(before);
    assertThat(scratch).isEmptyDirectory();
    Path copy = dir.resolve("copy.img");
    Files.copy(image, copy);
    try (var out = java.nio.channels.FileChannel.open(copy, java.nio.file.StandardOpenOption.WRITE)) {
      out.write(java.nio.ByteBuffer.wrap(java.util.Arrays.copyOf(longer.getBytes(), Math.toIntExact(at.capacity()))),
          at.blocks().get(0) * at.blockSize());
      out.write(java.nio.ByteBuffer.wrap(inodeBlock), at.inodeBlock() * at.blockSize());
    }
    assertThat(extFiles.read(copy, "/etc/shadow", scratch)).isEqualTo(longer);
    assertThat(extFiles.attributes(copy, "/etc/shadow")).isEqualTo(new ExtFiles.Attributes("0640", "0", "42"));
    CommandResult check = runner.run(Command.of(Settings.defaults().timeouts().command(), "e2fsck", "-f", "-n",
        copy.toString()).okExitCodes(0, 1, 2, 4, 8));
    assertThat(check.exitCode()).as(check.output()).isZero();
  }

  @Test
  void onlyARegularFileOfOneNameWithItsOwnBlocksHasAPlacementAndAMissingOneIsAnError() throws Exception {
    assertThat(extFiles.placement(image, "/etc/hostname", scratch)).isPresent();
    runner.run(Command.of(Settings.defaults().timeouts().command(), "debugfs", "-w", "-R",
        "symlink /etc/link /etc/shadow", image.toString()));
    // a second name for /etc/hostname: what is written in place would show under both
    runner.run(Command.of(Settings.defaults().timeouts().command(), "debugfs", "-w", "-R",
        "ln /etc/hostname /etc/motd", image.toString()));
    runner.run(Command.of(Settings.defaults().timeouts().command(), "debugfs", "-w", "-R",
        "sif /etc/hostname links_count 2", image.toString()));

    assertThat(extFiles.placement(image, "/etc/hostname", scratch)).isEmpty();
    assertThat(extFiles.placement(image, "/etc/link", scratch)).isEmpty();
    assertThat(extFiles.placement(image, "/etc", scratch)).isEmpty();
    assertThatThrownBy(() -> extFiles.placement(image, "/etc/nothere", scratch)).hasMessageContaining("/etc/nothere is not in");
  }

  @Test
  void aFileTooLargeToRewriteInPlaceHasNoPlacementAndOneTooLargeToReadIsNotRead() throws Exception {
    // no zero block in it, so debugfs writes every block (no hole): 16 MiB and a byte
    Path full = Files.writeString(dir.resolve("full"), "root:*:20000:0:99999:7:::\n" + "x".repeat(ExtFiles.MAX_READ));
    Path bigImage = dir.resolve("big.img");
    runner.run(Command.of(Settings.defaults().timeouts().command(), "mkfs.ext4", "-q", bigImage.toString(), "64M"));
    runner.run(Command.of(Settings.defaults().timeouts().command(), "debugfs", "-w", "-R", "write " + full + " shadow",
        bigImage.toString()));

    assertThat(extFiles.placement(bigImage, "/shadow", scratch)).isEmpty();
    assertThatThrownBy(() -> extFiles.read(bigImage, "/shadow", scratch)).hasMessageContaining("is larger than");
    assertThat(scratch).isEmptyDirectory();
  }
}

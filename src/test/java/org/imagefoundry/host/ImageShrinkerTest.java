package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageShrinkerTest {

  final FakeHost host = new FakeHost();
  final ImageShrinker shrinker = new ImageShrinker(host, Settings.defaults());

  @Test
  void checksReadOnlyThenDiscardingFreeBlocksShrinksAndTruncatesToBlockCountTimesBlockSize(@TempDir Path dir)
      throws Exception {
    Path image = dir.resolve("0.img");
    Files.write(image, new byte[8192]);

    long size = shrinker.shrink(image);

    assertThat(size).isEqualTo(1000L * 4096);
    assertThat(host.commands()).containsExactly(
        List.of("e2fsck", "-f", "-n", image.toString()),
        List.of("e2fsck", "-f", "-y", "-E", "discard", image.toString()),
        List.of("resize2fs", "-M", image.toString()),
        List.of("dumpe2fs", "-h", image.toString()),
        List.of("resize2fs", "-M", image.toString()),
        List.of("dumpe2fs", "-h", image.toString()),
        List.of("truncate", "--size", "4096000", image.toString()));
    assertThat(Files.size(image)).isEqualTo(4096000);
    assertThat(host.ran()).allSatisfy(command -> assertThat(command.env()).containsEntry("LD_PRELOAD", Command.EATMYDATA));
  }

  @Test
  void shrinksAgainWhileAPassTakesOffMoreThanATwentieth(@TempDir Path dir) throws Exception {
    Path image = dir.resolve("0.img");
    Files.write(image, new byte[8192]);
    // as measured on a minbase tree built in 1 GiB: 104099 blocks after the first pass, 58189 after the second
    host.blockCounts(104099L, 58189L, 56048L, 55900L);

    long size = shrinker.shrink(image);

    assertThat(host.commands("resize2fs")).hasSize(3);
    assertThat(size).isEqualTo(56048L * 4096);
    assertThat(Files.size(image)).isEqualTo(56048L * 4096);
  }

  @Test
  void shrinksAtMostFourTimes(@TempDir Path dir) throws Exception {
    Path image = dir.resolve("0.img");
    Files.write(image, new byte[8192]);
    host.blockCounts(100000L, 50000L, 25000L, 12500L, 6250L);

    assertThat(shrinker.shrink(image)).isEqualTo(12500L * 4096);
    assertThat(host.commands("resize2fs")).hasSize(ImageShrinker.MAX_PASSES);
  }

  @Test
  void anImageE2fsckWouldRepairFailsWithItsOutputAndIsLeftUntouched(@TempDir Path dir) {
    Path image = dir.resolve("0.img");
    host.failOn(List.of("e2fsck", "-f", "-n"), 4, 1, "Pass 2: Checking directory structure",
        "Inode 2 ref count is 18, should be 19.  Fix? no", "",
        "0.img: ********** WARNING: Filesystem still has errors **********");

    assertThatThrownBy(() -> shrinker.shrink(image)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not clean (exit 4)")
        .hasMessageContaining("Inode 2 ref count is 18, should be 19.  Fix? no");
    assertThat(host.commands()).containsExactly(List.of("e2fsck", "-f", "-n", image.toString()));
  }

  @Test
  void aSecondPassThatStillChangesSomethingFailsTheBuild(@TempDir Path dir) {
    Path image = dir.resolve("0.img");
    host.failOn(List.of("e2fsck", "-f", "-y"), 1, 1, "Free blocks count wrong (1000, counted=999).  Fix? yes",
        "0.img: ***** FILE SYSTEM WAS MODIFIED *****");

    assertThatThrownBy(() -> shrinker.shrink(image)).isInstanceOf(BuildFailure.class)
        .hasMessageContaining("FILE SYSTEM WAS MODIFIED");
    assertThat(host.commands("resize2fs")).isEmpty();
  }

  @Test
  void aFilesystemCheckThatFindsErrorsIsAFailureWhateverItsExitCode(@TempDir Path dir) {
    Path image = dir.resolve("0.img");
    host.failOn(List.of("e2fsck"), 1, 1);
    assertThatThrownBy(() -> shrinker.check(image)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exit 1");

    host.failOn(List.of("e2fsck"), 8, 1, "e2fsck: Cannot continue, aborting.");
    assertThatThrownBy(() -> shrinker.check(image)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exit 8").hasMessageContaining("Cannot continue, aborting.");
  }
}

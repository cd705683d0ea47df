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
  void checksDiscardingFreeBlocksShrinksAndTruncatesToBlockCountTimesBlockSize(@TempDir Path dir) throws Exception {
    Path image = dir.resolve("0.img");
    Files.write(image, new byte[8192]);

    long size = shrinker.shrink(image);

    assertThat(size).isEqualTo(1000L * 4096);
    assertThat(host.commands()).containsExactly(
        List.of("e2fsck", "-f", "-y", "-E", "discard", image.toString()),
        List.of("resize2fs", "-M", image.toString()),
        List.of("dumpe2fs", "-h", image.toString()),
        List.of("truncate", "--size", "4096000", image.toString()));
    assertThat(Files.size(image)).isEqualTo(4096000);
  }

  @Test
  void e2fsckCorrectingErrorsIsNotAFailureButWorseIs(@TempDir Path dir) {
    Path image = dir.resolve("0.img");
    host.failOn(List.of("e2fsck"), 1, 1);
    shrinker.check(image);

    host.failOn(List.of("e2fsck"), 4, 1, "e2fsck: errors left uncorrected");
    assertThatThrownBy(() -> shrinker.check(image)).isInstanceOf(CommandFailedException.class)
        .hasMessageContaining("exited with code 4").hasMessageContaining("errors left uncorrected");
  }
}

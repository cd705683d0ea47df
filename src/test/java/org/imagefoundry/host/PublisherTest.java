package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Publishing through the real compressors: the one-pass checksums are those md5sum computes. */
class PublisherTest {

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "zstd", "xz", "raw"})
  void oneReadGivesRawAndContainerChecksumsEqualToMd5sum(String container) throws Exception {
    Path raw = dir.resolve("0.img");
    byte[] data = new byte[3 << 20];
    new Random(42).nextBytes(data);
    System.arraycopy(new byte[1 << 20], 0, data, 1 << 20, 1 << 20);
    Files.write(raw, data);
    Path output = dir.resolve("out");
    var publisher = new Publisher(new ProcessCommandRunner(), Settings.with(dir.resolve("build"), List.of(output)));
    Path target = publisher.outputDirectory(output.toString()).resolve("image." + container);
    String rawMd5 = md5sum(raw);

    Publisher.Published published = publisher.publish(raw, container, target, "b1");

    assertThat(published.rawMd5()).isEqualTo(rawMd5);
    assertThat(published.rawSize()).isEqualTo(data.length);
    assertThat(published.containerMd5()).isEqualTo(md5sum(target));
    assertThat(published.containerSize()).isEqualTo(Files.size(target));
    assertThat(Files.list(output)).containsExactly(target);
    if (!container.equals("raw")) {
      assertThat(published.containerSize()).isLessThan(published.rawSize());
    }
  }

  @Test
  void gzipIsStandardGzipThatGunzipReads() throws Exception {
    byte[] data = randomBytes(1 << 20);
    Path raw = Files.write(dir.resolve("0.img"), data);
    Path output = dir.resolve("out");
    var publisher = new Publisher(new ProcessCommandRunner(), Settings.with(dir.resolve("build"), List.of(output)));
    Path target = publisher.outputDirectory(output.toString()).resolve("image.img.gz");

    publisher.publish(raw, "gzip", target, "b1");

    Process gunzip = new ProcessBuilder("gzip", "-dc", target.toString()).start();
    assertThat(gunzip.getInputStream().readAllBytes()).isEqualTo(data);
    assertThat(gunzip.waitFor()).isZero();
    assertThat(Publisher.compressor("gzip")).containsExactly("igzip", "-1", "--stdout");
  }

  @Test
  void aRawImageIsRenamedIntoPlaceNotCopiedAndItsMd5IsMd5sumOfThePublishedFile() throws Exception {
    Path raw = Files.write(dir.resolve("0.img"), randomBytes(2 << 20));
    Object inode = Files.getAttribute(raw, "unix:ino");
    Path output = dir.resolve("out");
    var publisher = new Publisher(new ProcessCommandRunner(), Settings.with(dir.resolve("build"), List.of(output)));
    Path target = publisher.outputDirectory(output.toString()).resolve("image.img");

    Publisher.Published published = publisher.publish(raw, "raw", target, "b1");

    assertThat(raw).doesNotExist();
    assertThat(Files.getAttribute(target, "unix:ino")).isEqualTo(inode);
    assertThat(published.rawMd5()).isEqualTo(md5sum(target)).isEqualTo(published.containerMd5());
    assertThat(published.rawSize()).isEqualTo(Files.size(target)).isEqualTo(published.containerSize());
  }

  @Test
  void aRawImageWhoseMd5IsKnownIsMovedWithThatMd5AndNotReadAgain() throws Exception {
    Path raw = Files.write(dir.resolve("0.img"), randomBytes(1 << 20));
    String md5 = md5sum(raw);
    Path output = dir.resolve("out");
    var publisher = new Publisher(new ProcessCommandRunner(), Settings.with(dir.resolve("build"), List.of(output)));
    Path target = publisher.outputDirectory(output.toString()).resolve("image.img");
    // no read permission would stop a read; root ignores that, so the proof is the md5 given back as given
    Publisher.Published published = publisher.publish(raw, "raw", target, "b1", md5.toUpperCase());

    assertThat(published.rawMd5()).isEqualTo(md5.toUpperCase()).isEqualTo(published.containerMd5());
    assertThat(md5sum(target)).isEqualTo(md5);
    assertThat(published.rawSize()).isEqualTo(1 << 20);
  }

  @Test
  void aCompressedImageWhoseMd5IsKnownIsReadByTheCompressorAloneAndPublishedWithThatMd5() throws Exception {
    byte[] data = randomBytes(1 << 20);
    Path raw = Files.write(dir.resolve("0.img"), data);
    String md5 = md5sum(raw);
    Path output = dir.resolve("out");
    var publisher = new Publisher(new ProcessCommandRunner(), Settings.with(dir.resolve("build"), List.of(output)));
    Path target = publisher.outputDirectory(output.toString()).resolve("image.img.zst");
    // as for a raw one: the md5 given back as given shows that nothing hashed the image again
    Publisher.Published published = publisher.publish(raw, "zstd", target, "b1", md5.toUpperCase());

    assertThat(published.rawMd5()).isEqualTo(md5.toUpperCase());
    assertThat(published.containerMd5()).isEqualTo(md5sum(target));
    assertThat(published.rawSize()).isEqualTo(data.length);
    Process unzstd = new ProcessBuilder("zstd", "-dc", target.toString()).start();
    assertThat(unzstd.getInputStream().readAllBytes()).isEqualTo(data);
    assertThat(unzstd.waitFor()).isZero();
  }

  @Test
  void aRetryOfARawPublishAfterTheMoveFindsTheFileAsideOrInPlace() throws Exception {
    Path output = dir.resolve("out");
    var publisher = new Publisher(new ProcessCommandRunner(), Settings.with(dir.resolve("build"), List.of(output)));
    Path target = publisher.outputDirectory(output.toString()).resolve("image.img");
    Path raw = dir.resolve("0.img");
    Files.write(Publisher.partialFile(target, "b1"), randomBytes(1 << 20));

    Publisher.Published aside = publisher.publish(raw, "raw", target, "b1");
    Publisher.Published inPlace = publisher.publish(raw, "raw", target, "b1");

    assertThat(aside.rawMd5()).isEqualTo(md5sum(target)).isEqualTo(inPlace.rawMd5());
    assertThat(Files.list(output)).containsExactly(target);
  }

  static byte[] randomBytes(int size) {
    byte[] data = new byte[size];
    new Random(7).nextBytes(data);
    return data;
  }

  static String md5sum(Path file) {
    return new ProcessCommandRunner().run(Command.of(java.time.Duration.ofMinutes(1), "md5sum", file.toString()))
        .lines().get(0).split(" ")[0];
  }
}

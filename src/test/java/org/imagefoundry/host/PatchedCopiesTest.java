package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.codec.digest.DigestUtils;
import org.imagefoundry.host.PatchedCopies.Patch;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real cp of a sparse file of some MB, with patches across the md5's read buffers. */
class PatchedCopiesTest {

  @TempDir Path dir;
  final PatchedCopies copies = new PatchedCopies(new SparseFiles(new ProcessCommandRunner(), Settings.defaults()));

  @Test
  void theCopyHasThePatchesBytesAndTheMd5TakenBesideItIsTheCopysOwn() throws Exception {
    Path source = dir.resolve("source.img");
    try (RandomAccessFile file = new RandomAccessFile(source.toFile(), "rw")) {
      file.setLength(5L << 20);
      file.seek(3L << 20);
      file.write("stored bytes".repeat(1000).getBytes());
    }
    byte[] before = Files.readAllBytes(source);
    Patch first = new Patch(10, "first".getBytes());
    // across the border of two of the md5's 1 MiB reads
    Patch across = new Patch((1L << 20) - 3, "across".getBytes());
    Patch last = new Patch((5L << 20) - 4, "last".getBytes());

    String md5 = copies.copy(source, dir.resolve("copy.img"), List.of(first, across, last));

    byte[] expected = before.clone();
    for (Patch patch : List.of(first, across, last)) {
      System.arraycopy(patch.bytes(), 0, expected, (int) patch.offset(), patch.bytes().length);
    }
    assertThat(Files.readAllBytes(dir.resolve("copy.img"))).isEqualTo(expected);
    assertThat(md5).isEqualTo(DigestUtils.md5Hex(expected));
    assertThat(Files.readAllBytes(source)).isEqualTo(before);
  }

  @Test
  void aPatchBeyondTheEndIsRefusedBeforeAnythingIsCopied() throws Exception {
    Path source = Files.write(dir.resolve("source.img"), new byte[4096]);

    assertThatThrownBy(() -> copies.copy(source, dir.resolve("copy.img"), List.of(new Patch(4090, new byte[7]))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(dir.resolve("copy.img")).doesNotExist();
  }
}

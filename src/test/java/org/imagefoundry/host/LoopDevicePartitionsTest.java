package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.imagefoundry.testing.NeedsRoot;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real loop devices (as root): partitions that partx added outlive a plain detach, so the next disk
 * attached to that device would get the old layout's nodes. attachWithPartitions must give exactly
 * the new disk's partitions, and leave none behind once detached.
 */
@NeedsRoot
class LoopDevicePartitionsTest {

  final ProcessCommandRunner runner = new ProcessCommandRunner();
  final LoopDevices loops = new LoopDevices(runner, Settings.defaults());

  @TempDir Path dir;

  @AfterEach
  void detachAll() {
    for (String name : List.of("earlier.img", "disk.img")) {
      loops.detach(dir.resolve(name));
    }
  }

  @Test
  void aDeviceAnEarlierDiskLeftPartitionsOnGetsExactlyTheNewDisksPartitions() {
    Path earlier = disk("earlier.img", "size=10M\nsize=30M\nsize=20M\n");
    // an earlier disk, attached as before this fix: plainly, partitions added by partx (the first attach,
    // with --partscan, only clears what an even earlier use left on the device)
    String cleared = run("losetup", "--find", "--show", "--partscan", earlier.toString()).trim();
    run("losetup", "--detach", cleared);
    String used = run("losetup", "--find", "--show", earlier.toString()).trim();
    assertThat(partitions(used)).isEmpty();
    run("partx", "--add", used);
    loops.detach(earlier);
    assertThat(partitions(used)).as("partx's partitions outlive a plain detach").hasSize(3);

    Path disk = disk("disk.img", "size=5M\nsize=50M\n");
    String device = loops.attachWithPartitions(disk);

    assertThat(device).as("losetup --find takes the lowest free device again").isEqualTo(used);
    assertThat(partitions(device)).containsExactly("1 2048 10240", "2 12288 102400");
    loops.detach(disk);
    assertThat(partitions(device)).as("partitions left after detach").isEmpty();
  }

  private Path disk(String name, String partitions) {
    Path file = dir.resolve(name);
    run("truncate", "--size=100M", file.toString());
    runner.pipe(Command.of(Duration.ofMinutes(1), "sfdisk", "--quiet", file.toString()),
        new ByteArrayInputStream(("label: gpt\n" + partitions).getBytes(StandardCharsets.US_ASCII)),
        OutputStream.nullOutputStream());
    return file;
  }

  /** The kernel's partitions of {@code device}: "number start size", in sectors, from sysfs. */
  private static List<String> partitions(String device) {
    Path block = Path.of("/sys/block").resolve(Path.of(device).getFileName());
    try (Stream<Path> entries = Files.list(block)) {
      return entries.filter(p -> p.getFileName().toString().matches(block.getFileName() + "p\\d+"))
          .map(p -> p.getFileName().toString().replaceAll(".*p", "") + " " + read(p.resolve("start")) + " "
              + read(p.resolve("size")))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String run(String... args) {
    return runner.run(Command.of(Duration.ofMinutes(1), args)).output();
  }
}

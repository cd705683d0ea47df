package org.imagefoundry.host;

import java.nio.file.Path;
import org.imagefoundry.FoundrySettings;
import org.springframework.stereotype.Component;

/** Shrinks an unmounted ext image file to the smallest size that holds its files. */
@Component
public class ImageShrinker {

  private final CommandRunner runner;
  private final FoundrySettings settings;

  public ImageShrinker(CommandRunner runner, FoundrySettings settings) {
    this.runner = runner;
    this.settings = settings;
  }

  /**
   * Returns the new size in bytes. e2fsck's {@code -E discard} punches the free blocks out of the file,
   * so what deleted files left there compresses to nothing; before or after resize2fs gives the same
   * container (measured), so it rides on the check resize2fs needs anyway.
   */
  public long shrink(Path image) {
    if (settings.discardFreeBlocks()) {
      runner.run(command("e2fsck", "-f", "-y", "-E", "discard", image.toString()).okExitCodes(0, 1));
    } else {
      check(image);
    }
    runner.run(command("resize2fs", "-M", image.toString()));
    long size = filesystemBytes(image);
    runner.run(command("truncate", "--size", Long.toString(size), image.toString()));
    return size;
  }

  /** e2fsck -f -y: exit 1 means "errors corrected", which is not a failure. */
  public void check(Path image) {
    runner.run(command("e2fsck", "-f", "-y", image.toString()).okExitCodes(0, 1));
  }

  /** Block count times block size, as {@code dumpe2fs -h} reports them. */
  long filesystemBytes(Path image) {
    var lines = runner.run(command("dumpe2fs", "-h", image.toString())).lines();
    return field(lines, "Block count:") * field(lines, "Block size:");
  }

  private static long field(java.util.List<String> lines, String name) {
    return lines.stream().filter(line -> line.startsWith(name))
        .map(line -> Long.parseLong(line.substring(name.length()).trim()))
        .findFirst().orElseThrow(() -> new IllegalStateException("dumpe2fs printed no " + name));
  }

  private Command command(String... args) {
    return Command.of(settings.timeouts().command(), args);
  }
}

package org.imagefoundry.host;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/** Shrinks an unmounted ext image file to the smallest size that holds its files. */
@Component
public class ImageShrinker {

  private static final int EXCERPT_LINES = 25;
  /** resize2fs -M passes at most; each pass after the first runs only while the one before took off over 1/20. */
  static final int MAX_PASSES = 4;

  private final CommandRunner runner;
  private final FoundrySettings settings;

  public ImageShrinker(CommandRunner runner, FoundrySettings settings) {
    this.runner = runner;
    this.settings = settings;
  }

  /**
   * Returns the new size in bytes. The image was cleanly unmounted, so e2fsck must find it clean: a
   * read-only pass ({@code -n}, which never changes the file, so no retry can pass on a "repaired"
   * image) must exit 0, or the step fails with e2fsck's output. Only then the pass resize2fs needs,
   * whose {@code -E discard} punches the free blocks out of the file, so what deleted files left there
   * compresses to nothing; it too must change nothing, or the build fails.
   */
  public long shrink(Path image) {
    check(image);
    List<String> pass = new ArrayList<>(List.of("e2fsck", "-f", "-y"));
    if (settings.discardFreeBlocks()) {
      pass.addAll(List.of("-E", "discard"));
    }
    pass.add(image.toString());
    CommandResult result = runner.run(Command.of(settings.timeouts().command(), pass).withoutFsync().okExitCodes(0, 1));
    if (result.exitCode() != 0) {
      // it changed the file, which the read-only pass found clean: nothing of it can be trusted any more
      throw new BuildFailure("e2fsck changed " + image + " although a read-only check found it clean:\n"
          + excerpt(result));
    }
    long size = minimize(image);
    runner.run(command("truncate", "--size", Long.toString(size), image.toString()));
    return size;
  }

  /**
   * resize2fs -M until it takes off little: its estimate of the minimum is made for the filesystem as it
   * is, so from a 1 GiB build filesystem (its inode tables and the room their groups need) the first pass
   * left a minbase tree here in 426 MB, and a second one in 238 MB (3 % free). Each pass after the first
   * takes some tens of milliseconds; every later read of the image (md5, compression, the image store) is
   * shorter by what it took off. Returns the size in bytes.
   */
  private long minimize(Path image) {
    runner.run(command("resize2fs", "-M", image.toString()));
    long size = filesystemBytes(image);
    for (int pass = 2; pass <= MAX_PASSES; pass++) {
      runner.run(command("resize2fs", "-M", image.toString()));
      long smaller = filesystemBytes(image);
      boolean worthAnother = size - smaller > size / 20;
      size = smaller;
      if (!worthAnother) {
        break;
      }
    }
    return size;
  }

  /**
   * e2fsck -f -n: exit 0, or this throws with e2fsck's output (what it would have repaired). Read-only,
   * so the image stays as it was for whoever looks into the incident.
   */
  public void check(Path image) {
    Command check = command("e2fsck", "-f", "-n", image.toString()).okExitCodes(0, 1, 2, 4, 8);
    CommandResult result = runner.run(check);
    if (result.exitCode() != 0) {
      throw new IllegalStateException("e2fsck finds " + image + " not clean (exit " + result.exitCode()
          + ") although it was cleanly unmounted; it was not repaired. e2fsck -f -n says:\n" + excerpt(result));
    }
  }

  /** The first lines (what it found first), the rest being in the build's log. */
  private static String excerpt(CommandResult result) {
    List<String> lines = result.lines();
    if (lines.size() <= EXCERPT_LINES) {
      return result.output();
    }
    return String.join("\n", lines.subList(0, EXCERPT_LINES)) + "\n... (" + (lines.size() - EXCERPT_LINES)
        + " more lines in the build's log)";
  }

  /** Block count times block size, as {@code dumpe2fs -h} reports them. */
  long filesystemBytes(Path image) {
    var lines = runner.run(command("dumpe2fs", "-h", image.toString())).lines();
    return field(lines, "Block count:") * field(lines, "Block size:");
  }

  private static long field(List<String> lines, String name) {
    return lines.stream().filter(line -> line.startsWith(name))
        .map(line -> Long.parseLong(line.substring(name.length()).trim()))
        .findFirst().orElseThrow(() -> new IllegalStateException("dumpe2fs printed no " + name));
  }

  /** e2fsprogs on the unmounted image file: without their fsyncs ({@link Command#withoutFsync}). */
  private Command command(String... args) {
    return Command.of(settings.timeouts().command(), args).withoutFsync();
  }
}

package org.imagefoundry.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/**
 * debugfs: a file of an unmounted ext2/3/4 image file read, and replaced, without mounting the image, so
 * nothing is attached or mounted (as mtools does for FAT in {@link FatFiles}). debugfs exits 0 even when
 * one of its commands fails, so every replacement is read back: the same content, mode and owner, or
 * this throws.
 */
@Component
public class ExtFiles {

  /** What debugfs's commands take as one word: an absolute path without blanks or quotes. */
  private static final Pattern WORD = Pattern.compile("/[A-Za-z0-9._+/-]+");
  private static final Pattern MODE = Pattern.compile("Mode:\\s+(0[0-7]+)");
  private static final int REGULAR_FILE = 0100000;
  private static final Pattern EXTENT = Pattern.compile("\\((\\d+)(?:-(\\d+))?\\):\\d+");
  private static final Pattern OWNER = Pattern.compile("User:\\s+(\\d+)\\s+Group:\\s+(\\d+)");

  /** A file's permission bits (octal, as debugfs prints them), owner and group. */
  public record Attributes(String mode, String uid, String gid) {}

  private final CommandRunner runner;
  private final FoundrySettings settings;

  public ExtFiles(CommandRunner runner, FoundrySettings settings) {
    this.runner = runner;
    this.settings = settings;
  }

  /** The content of {@code path} in {@code image}, dumped through {@code scratch} (a directory of the build's). */
  public String read(Path image, String path, Path scratch) {
    Path copy = scratch.resolve("debugfs-dump");
    try {
      Files.deleteIfExists(copy);
      runner.run(command("debugfs", "-R", "dump " + word(path) + " " + word(copy.toString()), image.toString()));
      if (!Files.isRegularFile(copy)) {
        throw new IllegalStateException(path + " is not in " + image);
      }
      return Files.readString(copy, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      delete(copy);
    }
  }

  /** The mode, owner and group of {@code path} in {@code image}. */
  public Attributes attributes(Path image, String path) {
    return attributes(stat(image, path), image, path);
  }

  /**
   * Replaces {@code path} in {@code image} by a file of {@code content} with the same mode, owner and
   * group; {@code scratch} (a directory of the build's) holds debugfs's input meanwhile. The old file's
   * blocks are zeroed before they are freed: what it held (another build's password hash, say) is not
   * left in the image's free space.
   */
  public void replace(Path image, String path, String content, Path scratch) {
    String stat = stat(image, path);
    Attributes before = attributes(stat, image, path);
    Path file = Path.of(word(path));
    String dir = file.getParent().toString();
    String name = file.getFileName().toString();
    Path source = scratch.resolve("debugfs-source");
    Path commands = scratch.resolve("debugfs-commands");
    List<String> lines = new ArrayList<>(List.of("cd " + dir));
    for (long block = 0; block < logicalBlocks(stat); block++) {
      lines.add("zap_block -f " + name + " " + block);
    }
    lines.addAll(List.of(
        "rm " + name,
        "write " + word(source.toString()) + " " + name,
        "set_inode_field " + name + " mode 0" + Integer.toOctalString(REGULAR_FILE | Integer.parseInt(before.mode(), 8)),
        "set_inode_field " + name + " uid " + before.uid(),
        "set_inode_field " + name + " gid " + before.gid()));
    try {
      Files.writeString(source, content, StandardCharsets.UTF_8);
      Files.write(commands, lines);
      runner.run(command("debugfs", "-w", "-f", commands.toString(), image.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      delete(source);
      delete(commands);
    }
    Attributes after = attributes(image, path);
    if (!after.equals(before) || !read(image, path, scratch).equals(content)) {
      throw new IllegalStateException("debugfs did not replace " + path + " in " + image + " as asked: " + after);
    }
  }

  private String stat(Path image, String path) {
    return runner.run(command("debugfs", "-R", "stat " + word(path), image.toString())).output();
  }

  private static Attributes attributes(String stat, Path image, String path) {
    Matcher mode = MODE.matcher(stat);
    Matcher owner = OWNER.matcher(stat);
    if (!mode.find() || !owner.find()) {
      throw new IllegalStateException(path + " is not in " + image + ": " + stat.strip());
    }
    if (stat.contains("Extended attributes:")) {
      throw new IllegalStateException(path + " in " + image + " has extended attributes, which a replacement would lose");
    }
    if (stat.contains("Size of inline data:")) {
      throw new IllegalStateException(path + " in " + image + " keeps its data in its inode, which a replacement would not zero");
    }
    return new Attributes(mode.group(1), owner.group(1), owner.group(2));
  }

  /** How many logical blocks the file maps, from the extents (or blocks) {@code stat} lists: "(0-2):1619-1621". */
  private static long logicalBlocks(String stat) {
    Matcher extent = EXTENT.matcher(stat);
    long blocks = 0;
    while (extent.find()) {
      blocks = Math.max(blocks, Long.parseLong(extent.group(extent.group(2) != null ? 2 : 1)) + 1);
    }
    return blocks;
  }

  private static String word(String path) {
    if (!WORD.matcher(path).matches()) {
      throw new IllegalArgumentException("not a path debugfs can take as one word: " + path);
    }
    return path;
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // in the build's workspace, which the sweep removes
    }
  }

  /** debugfs on an image file the build just wrote: without its fsync ({@link Command#withoutFsync}). */
  private Command command(String... args) {
    return Command.of(settings.timeouts().command(), args).withoutFsync();
  }
}

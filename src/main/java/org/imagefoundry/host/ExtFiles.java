package org.imagefoundry.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
  private static final Pattern OWNER = Pattern.compile("User:\\s+(\\d+)\\s+Group:\\s+(\\d+)");
  private static final Pattern INODE = Pattern.compile("Inode:\\s+(\\d+)\\s+Type:\\s+(\\S+)");
  private static final Pattern SIZE = Pattern.compile("Group:\\s+\\d+(?:\\s+Project:\\s+\\d+)?\\s+Size:\\s+(\\d+)");
  /** A run of written blocks in file order, "(0-2):1619-1621"; an unwritten one reads "(0-2[u]):…" and does not match. */
  private static final Pattern MAPPED = Pattern.compile("\\((\\d+)(?:-(\\d+))?\\):(\\d+)");
  private static final Pattern LINKS = Pattern.compile("Links:\\s+(\\d+)");
  private static final Pattern INODE_BLOCK = Pattern.compile("located at block (\\d+), offset");
  /** Far more than any /etc/shadow: a larger file is not rewritten in place. */
  static final int MAX_IN_PLACE = 1 << 20;
  /** A larger file is not read into the service's memory (a script can make any file of the image huge). */
  static final int MAX_READ = 16 << 20;

  /** A file's permission bits (octal, as debugfs prints them), owner and group. */
  public record Attributes(String mode, String uid, String gid) {}

  /**
   * Where a regular file's bytes lie in an image: its inode, the image's block size, the file's size, its
   * blocks in file order, the block of the inode table that holds its inode, and its content (UTF-8).
   */
  public record Placement(long inode, int blockSize, long size, List<Long> blocks, long inodeBlock, String content) {
    public Placement {
      blocks = List.copyOf(blocks);
    }

    /** The bytes the file's blocks hold, its size included. */
    public long capacity() {
      return (long) blockSize * blocks.size();
    }
  }

  private final CommandRunner runner;
  private final FoundrySettings settings;

  public ExtFiles(CommandRunner runner, FoundrySettings settings) {
    this.runner = runner;
    this.settings = settings;
  }

  /** The content of {@code path} in {@code image}, dumped through {@code scratch} (a directory of the build's); at most {@link #MAX_READ} bytes. */
  public String read(Path image, String path, Path scratch) {
    Path copy = scratch.resolve("debugfs-dump");
    try {
      Files.deleteIfExists(copy);
      runner.run(command("debugfs", "-R", "dump " + word(path) + " " + word(copy.toString()), image.toString()));
      if (!Files.isRegularFile(copy)) {
        throw new IllegalStateException(path + " is not in " + image);
      }
      if (Files.size(copy) > MAX_READ) {
        throw new IllegalStateException(path + " in " + image + " is larger than " + MAX_READ + " bytes: not read");
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

  /**
   * Where {@code path}'s bytes lie in {@code image}, when they can be rewritten in place: a regular file of one
   * name (a hard link would show what is written under another name too) whose content, UTF-8 text, is in
   * blocks of its own (not in its inode), every one of them written, from the first on (no hole, no unwritten
   * extent), at most {@link #MAX_IN_PLACE} bytes of them; what its blocks hold must be what debugfs dumps of
   * it. Empty for any other file; an error when there is none. One debugfs run, through {@code scratch} (a
   * directory of the build's), and the block size read from the superblock.
   */
  public Optional<Placement> placement(Path image, String path, Path scratch) {
    String file = word(path);
    Path dump = scratch.resolve("debugfs-dump");
    try {
      Files.deleteIfExists(dump);
      Map<String, String> printed = runAll(image, List.of("stat " + file, "imap " + file,
          "dump " + file + " " + word(dump.toString())), scratch);
      String stat = printed.getOrDefault("stat " + file, "");
      Matcher inode = INODE.matcher(stat);
      Matcher size = SIZE.matcher(stat);
      if (!inode.find() || !size.find()) {
        throw new IllegalStateException(path + " is not in " + image + ": " + stat.strip());
      }
      Matcher links = LINKS.matcher(stat);
      if (!"regular".equals(inode.group(2)) || !links.find() || !links.group(1).equals("1") || stat.contains("Size of inline data:")) {
        return Optional.empty();
      }
      List<Long> blocks = new ArrayList<>();
      Matcher mapped = MAPPED.matcher(stat);
      while (mapped.find()) {
        long first = Long.parseLong(mapped.group(1));
        long last = mapped.group(2) == null ? first : Long.parseLong(mapped.group(2));
        if (first != blocks.size() || last - first >= MAX_IN_PLACE / 1024 - blocks.size()) { // blocks are 1 KiB at least
          return Optional.empty();
        }
        for (long block = first; block <= last; block++) {
          blocks.add(Long.parseLong(mapped.group(3)) + block - first);
        }
      }
      int blockSize = blockSize(image);
      long fileSize = Long.parseLong(size.group(1));
      long capacity = (long) blockSize * blocks.size();
      if (capacity < fileSize || capacity > MAX_IN_PLACE || !Files.isRegularFile(dump) || Files.size(dump) != fileSize) {
        return Optional.empty();
      }
      long inodeBlock = Long.parseLong(find(INODE_BLOCK, printed.getOrDefault("imap " + file, ""),
          "debugfs found no inode table block for " + path));
      byte[] dumped = Files.readAllBytes(dump);
      if (!Arrays.equals(inBlocks(image, blockSize, blocks, fileSize), dumped)) {
        return Optional.empty();
      }
      String content = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(dumped)).toString();
      return Optional.of(new Placement(Long.parseLong(inode.group(1)), blockSize, fileSize, blocks, inodeBlock, content));
    } catch (CharacterCodingException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      delete(dump);
    }
  }

  /**
   * The filesystem's block size, from its superblock (at byte 1024): 1024 shifted by {@code s_log_block_size},
   * the little-endian 32-bit word at byte 24 of it (rather than debugfs's 50 lines of {@code stats} in the log).
   */
  private static int blockSize(Path image) throws IOException {
    ByteBuffer word = ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    try (FileChannel in = FileChannel.open(image)) {
      readFully(in, word, 1024 + 24);
    }
    int log = word.getInt(0);
    if (log < 0 || log > 6) {
      throw new IOException(image + " has no ext block size in its superblock (s_log_block_size " + log + ")");
    }
    return 1024 << log;
  }

  /** The first {@code size} bytes of {@code blocks} in {@code image}, read from the image file itself. */
  private static byte[] inBlocks(Path image, int blockSize, List<Long> blocks, long size) throws IOException {
    byte[] content = new byte[blockSize * blocks.size()];
    try (FileChannel in = FileChannel.open(image)) {
      for (int i = 0; i < blocks.size(); i++) {
        readFully(in, ByteBuffer.wrap(content, i * blockSize, blockSize), blocks.get(i) * blockSize);
      }
    }
    return Arrays.copyOf(content, Math.toIntExact(size));
  }

  /**
   * The block of {@code image}'s inode table that holds {@code file}'s inode, as it is once the file's size is
   * {@code size} (its checksum too): debugfs sets the size in a copy of the image's metadata (e2image, some MB
   * in {@code scratch}), so {@code image} itself is only read.
   */
  public byte[] inodeBlockWithSize(Path image, Placement file, long size, Path scratch) {
    Path metadata = scratch.resolve("e2image-metadata");
    try {
      Files.deleteIfExists(metadata);
      runner.run(command("e2image", "-r", image.toString(), metadata.toString()));
      // debugfs exits 0 even when a command fails: the caller reads the file back from the image it writes
      runner.run(command("debugfs", "-w", "-R", "set_inode_field <" + file.inode() + "> size " + size, metadata.toString()));
      byte[] block = new byte[file.blockSize()];
      try (FileChannel in = FileChannel.open(metadata)) {
        readFully(in, ByteBuffer.wrap(block), file.inodeBlock() * file.blockSize());
      }
      return block;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      delete(metadata);
    }
  }

  private static void readFully(FileChannel in, ByteBuffer into, long position) throws IOException {
    int start = into.position();
    while (into.hasRemaining()) {
      if (in.read(into, position + into.position() - start) < 0) {
        throw new IOException("the image ends before byte " + (position + into.position() - start));
      }
    }
  }

  /**
   * What one debugfs run (read only) printed for each of {@code requests}, by request: debugfs echoes each
   * command it reads from a file as "debugfs: command" before its output.
   */
  private Map<String, String> runAll(Path image, List<String> requests, Path scratch) throws IOException {
    Path commands = scratch.resolve("debugfs-commands");
    try {
      Files.write(commands, requests);
      Map<String, String> printed = new HashMap<>();
      String current = null;
      for (String line : runner.run(command("debugfs", "-f", commands.toString(), image.toString())).lines()) {
        if (line.startsWith("debugfs: ")) {
          current = line.substring("debugfs: ".length());
        } else if (current != null) {
          printed.merge(current, line + "\n", String::concat);
        }
      }
      return printed;
    } finally {
      delete(commands);
    }
  }

  private static String find(Pattern pattern, String output, String otherwise) {
    Matcher matcher = pattern.matcher(output);
    if (!matcher.find()) {
      throw new IllegalStateException(otherwise);
    }
    return matcher.group(1);
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
    Matcher extent = MAPPED.matcher(stat);
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

package org.imagefoundry.rules;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The mkfs options a request may give: only those that shape the filesystem (block and inode sizes,
 * inode ratio, features, reserved blocks, ...), each value checked. Never an option that names a file,
 * a directory or another device ({@code -d}, {@code -z}, {@code -c}, {@code -l}, {@code -p},
 * {@code -E offset=}, {@code -J device=}, {@code -l logdev=}, ...): those once copied host files into
 * the image and wrote files of the request's choosing on the host (issue 10). A flag and its value are
 * two entries: {@code ["-b", "4096", "-O", "^metadata_csum"]}.
 */
public final class MkfsOptions {

  /** A flag that takes no value. */
  private static final Predicate<String> FLAG = value -> false;

  private static final Set<String> EXT_FEATURES = Set.of("has_journal", "ext_attr", "resize_inode", "dir_index",
      "filetype", "sparse_super", "sparse_super2", "large_file", "huge_file", "uninit_bg", "gdt_csum", "dir_nlink",
      "extra_isize", "64bit", "metadata_csum", "metadata_csum_seed", "flex_bg", "extent", "extents", "mmp", "quota",
      "project", "bigalloc", "inline_data", "encrypt", "casefold", "fname_encoding", "ea_inode", "large_dir",
      "meta_bg", "orphan_file", "stable_inodes", "verity", "journal_checksum");
  private static final Set<String> EXT_USAGE_TYPES = Set.of("default", "floppy", "small", "big", "huge", "news",
      "largefile", "largefile4", "ext2", "ext3", "ext4");

  private static final Map<String, Predicate<String>> EXT = Map.ofEntries(
      Map.entry("-b", oneOf("1024", "2048", "4096")),
      Map.entry("-C", powerOfTwo(1024, 1L << 28)),
      Map.entry("-I", oneOf("128", "256", "512", "1024")),
      Map.entry("-i", number(1024, 1L << 26)),
      Map.entry("-m", Pattern.compile("(50|[1-4]?[0-9])(\\.[0-9]{1,2})?").asMatchPredicate()),
      Map.entry("-N", number(16, 4_294_967_295L)),
      Map.entry("-g", number(256, 524_288)),
      Map.entry("-G", powerOfTwo(1, 1L << 20)),
      Map.entry("-O", commaList(feature -> EXT_FEATURES.contains(feature.startsWith("^") ? feature.substring(1) : feature))),
      Map.entry("-E", commaList(suboptions(Map.ofEntries(
          Map.entry("stride", number(1, 1L << 30)),
          Map.entry("stripe_width", number(1, 1L << 30)),
          Map.entry("stripe-width", number(1, 1L << 30)),
          Map.entry("resize", number(1, 1L << 40)),
          Map.entry("lazy_itable_init", oneOf("0", "1")),
          Map.entry("lazy_journal_init", oneOf("0", "1")),
          Map.entry("packed_meta_blocks", oneOf("0", "1")),
          Map.entry("assume_storage_prezeroed", oneOf("0", "1")),
          Map.entry("num_backup_sb", oneOf("0", "1", "2")),
          Map.entry("discard", FLAG),
          Map.entry("nodiscard", FLAG),
          Map.entry("quotatype", Pattern.compile("(usrquota|grpquota|prjquota)(:(usrquota|grpquota|prjquota)){0,2}")
              .asMatchPredicate()),
          Map.entry("encoding", oneOf("utf8", "utf8-12.1")))))),
      Map.entry("-T", commaList(EXT_USAGE_TYPES::contains)),
      Map.entry("-J", commaList(suboptions(Map.of("size", number(1, 1L << 20))))),
      Map.entry("-e", oneOf("continue", "remount-ro", "panic")),
      Map.entry("-U", Pattern.compile("clear|random|time|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
          .asMatchPredicate()),
      Map.entry("-r", oneOf("0", "1")),
      Map.entry("-j", FLAG),
      Map.entry("-q", FLAG));

  private static final Predicate<String> BOOL = oneOf("0", "1");
  private static final Map<String, Predicate<String>> XFS = Map.ofEntries(
      Map.entry("-b", commaList(suboptions(Map.of("size", size(512, 65536))))),
      Map.entry("-s", commaList(suboptions(Map.of("size", size(512, 32768))))),
      Map.entry("-i", commaList(suboptions(Map.of("size", size(256, 2048), "maxpct", number(0, 100), "align", BOOL,
          "sparse", BOOL, "nrext64", BOOL, "perblock", number(1, 128), "attr", oneOf("1", "2"), "projid32bit", BOOL,
          "exchange", BOOL)))),
      Map.entry("-m", commaList(suboptions(Map.of("crc", BOOL, "finobt", BOOL, "reflink", BOOL, "rmapbt", BOOL,
          "bigtime", BOOL, "inobtcount", BOOL, "metadir", BOOL,
          "uuid", Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").asMatchPredicate())))),
      Map.entry("-n", commaList(suboptions(Map.of("size", size(512, 65536), "version", oneOf("2", "ci"),
          "ftype", BOOL, "parent", BOOL)))),
      Map.entry("-l", commaList(suboptions(Map.of("size", size(512, 1L << 40), "lazy-count", BOOL,
          "version", oneOf("1", "2"), "sunit", number(0, 1L << 20), "su", size(0, 1L << 30), "internal", oneOf("1"))))),
      Map.entry("-d", commaList(suboptions(Map.of("agcount", number(1, 1L << 20), "agsize", size(1 << 24, 1L << 40),
          "su", size(0, 1L << 30), "sw", number(0, 1L << 20), "sunit", number(0, 1L << 30),
          "swidth", number(0, 1L << 30), "noalign", FLAG)))),
      Map.entry("-r", commaList(suboptions(Map.of("extsize", size(4096, 1L << 30))))),
      Map.entry("-K", FLAG),
      Map.entry("-q", FLAG));

  private MkfsOptions() {}

  /** What is wrong with {@code options} for {@code format}, each problem naming {@code field[i]}; empty when all is well. */
  public static List<Problem> check(String format, List<String> options, String field) {
    Map<String, Predicate<String>> allowed = format.startsWith("ext") ? EXT : "xfs".equals(format) ? XFS : Map.of();
    List<Problem> problems = new ArrayList<>();
    for (int i = 0; i < options.size(); i++) {
      String option = options.get(i);
      Predicate<String> value = allowed.get(option);
      if (value == null) {
        problems.add(new Problem(field + "[" + i + "]", option.startsWith("-")
            ? option + " is not an mkfs." + format + " option a request may give; allowed: "
            + new TreeSet<>(allowed.keySet())
            + " (each value as the next entry; options that name files, directories or devices are refused)"
            : "a value without its option"));
        continue;
      }
      if (value == FLAG) {
        continue;
      }
      if (i + 1 >= options.size()) {
        problems.add(new Problem(field + "[" + i + "]", option + " needs a value as the next entry"));
        continue;
      }
      i++;
      if (!value.test(options.get(i))) {
        problems.add(new Problem(field + "[" + i + "]", "not a value mkfs." + format + " " + option
            + " may take: known names, numbers within bounds, nothing that names a file or a device"));
      }
    }
    return problems;
  }

  private static Predicate<String> oneOf(String... values) {
    return Set.of(values)::contains;
  }

  private static Predicate<String> number(long min, long max) {
    return text -> text.matches("[0-9]{1,19}") && inRange(new BigInteger(text), min, max);
  }

  private static Predicate<String> powerOfTwo(long min, long max) {
    return number(min, max).and(text -> Long.bitCount(Long.parseLong(text)) == 1);
  }

  /** A byte count with an optional k, m, g or t suffix, as mkfs.xfs takes it. */
  private static Predicate<String> size(long min, long max) {
    return text -> {
      var matcher = Pattern.compile("([0-9]{1,15})([kmgtKMGT]?)").matcher(text);
      if (!matcher.matches()) {
        return false;
      }
      int shift = switch (matcher.group(2).toLowerCase()) {
        case "k" -> 10;
        case "m" -> 20;
        case "g" -> 30;
        case "t" -> 40;
        default -> 0;
      };
      return inRange(new BigInteger(matcher.group(1)).shiftLeft(shift), min, max);
    };
  }

  private static boolean inRange(BigInteger value, long min, long max) {
    return value.compareTo(BigInteger.valueOf(min)) >= 0 && value.compareTo(BigInteger.valueOf(max)) <= 0;
  }

  /** A comma-separated list whose every element passes. */
  private static Predicate<String> commaList(Predicate<String> element) {
    return text -> !text.isEmpty() && text.length() <= 512 && !text.startsWith(",") && !text.endsWith(",")
        && List.of(text.split(",")).stream().allMatch(element);
  }

  /** {@code key=value} with a known key and a value it takes, or a bare key that takes none. */
  private static Predicate<String> suboptions(Map<String, Predicate<String>> keys) {
    return text -> {
      int equals = text.indexOf('=');
      Predicate<String> value = keys.get(equals < 0 ? text : text.substring(0, equals));
      if (value == null) {
        return false;
      }
      return equals < 0 ? value == FLAG : value != FLAG && value.test(text.substring(equals + 1));
    };
  }
}

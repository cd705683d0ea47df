package org.imagefoundry.spec;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as {@code truncate} reads them: bytes, or a number with K, M, G, T (powers of 1024) or KB, MB, ... (of 1000). */
public final class Sizes {

  /** fuel-agent's sparse file size, so the filesystem can later grow on the target. */
  public static final long DEFAULT_IMAGE_SIZE = 8L << 30;
  public static final long MIN_IMAGE_SIZE = 64L << 20;

  private static final Pattern SIZE = Pattern.compile("([0-9]{1,15})([KMGT]?)(iB|B)?");
  private static final Map<String, Integer> POWER = Map.of("", 0, "K", 1, "M", 2, "G", 3, "T", 4);

  private Sizes() {}

  /** The size in bytes, or null when the text is not a size. */
  public static Long parse(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches() || m.group(2).isEmpty() && m.group(3) != null) {
      return null;
    }
    long base = "B".equals(m.group(3)) ? 1000 : 1024;
    long bytes = Long.parseLong(m.group(1));
    for (int i = 0; i < POWER.get(m.group(2)); i++) {
      if (bytes > Long.MAX_VALUE / base) {
        return null;
      }
      bytes *= base;
    }
    return bytes;
  }
}

package org.imagefoundry.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.springframework.stereotype.Component;

/** Reads {@code /proc/self/mountinfo}. */
@Component
public class ProcMountTable implements MountTable {

  private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

  @Override
  public List<Path> mountPoints() {
    try {
      return parse(Files.readAllLines(MOUNTINFO));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The fifth field of each line is the mount point, with space, tab, newline and backslash octal-escaped. */
  static List<Path> parse(List<String> lines) {
    return lines.stream().filter(line -> !line.isBlank()).map(line -> Path.of(unescape(line.split(" ")[4]))).toList();
  }

  static String unescape(String field) {
    var out = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && isOctal(field, i + 1)) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }
}

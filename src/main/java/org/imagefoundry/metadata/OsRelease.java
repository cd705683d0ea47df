package org.imagefoundry.metadata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the image's os-release (fuel-agent hard-coded "Ubuntu 14.4" instead). */
public final class OsRelease {

  private static final Pattern VERSION = Pattern.compile("([0-9]+)(?:\\.([0-9]+))?.*");

  private OsRelease() {}

  public static OsInfo read(Path root) {
    Map<String, String> fields = parse(lines(root, "etc/os-release", "usr/lib/os-release"));
    String name = fields.getOrDefault("NAME", fields.getOrDefault("ID", "unknown")).split(" ")[0];
    String version = fields.getOrDefault("VERSION_ID", "0");
    if (!version.contains(".") && Files.isRegularFile(root.resolve("etc/debian_version"))) {
      // Debian's VERSION_ID is only the major release; the point release is in /etc/debian_version
      List<String> debian = lines(root, "etc/debian_version");
      if (!debian.isEmpty() && debian.get(0).startsWith(version + ".")) {
        version = debian.get(0).trim();
      }
    }
    Matcher m = VERSION.matcher(version);
    if (!m.matches()) {
      return new OsInfo(name, 0, 0);
    }
    return new OsInfo(name, Integer.parseInt(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
  }

  static Map<String, String> parse(List<String> lines) {
    Map<String, String> fields = new HashMap<>();
    for (String line : lines) {
      int eq = line.indexOf('=');
      if (eq > 0 && !line.startsWith("#")) {
        fields.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim().replaceAll("^\"|\"$", ""));
      }
    }
    return fields;
  }

  /** The first of the candidate files that is a regular file; links are not followed out of the image. */
  private static List<String> lines(Path root, String... candidates) {
    for (String candidate : candidates) {
      Path file = root.resolve(candidate);
      if (Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        try {
          return Files.readAllLines(file);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return List.of();
  }
}

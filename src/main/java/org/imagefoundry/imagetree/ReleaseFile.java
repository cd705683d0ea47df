package org.imagefoundry.imagetree;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A repository's Release file, read as RFC 822 fields. fuel-agent parsed it as YAML, which turned
 * {@code Version: 16.10} into 16.1 and pinned the wrong release (LP#1488844).
 */
public record ReleaseFile(Map<String, String> fields) {

  public static ReleaseFile parse(String text) {
    Map<String, String> fields = new LinkedHashMap<>();
    String last = null;
    for (String line : text.split("\n")) {
      if (line.startsWith("-----BEGIN PGP SIGNED MESSAGE") || line.startsWith("Hash:")) {
        continue;
      }
      if (line.startsWith("-----BEGIN PGP SIGNATURE")) {
        break;
      }
      if (line.startsWith(" ") || line.startsWith("\t")) {
        if (last != null) {
          fields.merge(last, "\n" + line.trim(), String::concat);
        }
        continue;
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        last = line.substring(0, colon);
        fields.put(last, line.substring(colon + 1).trim());
      }
    }
    return new ReleaseFile(fields);
  }

  /** The {@code Pin: release ...} condition: a=, n=, o=, l=, v= for each field the Release file has. */
  public String pinCondition(String component) {
    var parts = new java.util.ArrayList<String>();
    for (List<String> key : List.of(List.of("Archive", "a"), List.of("Codename", "n"), List.of("Origin", "o"),
        List.of("Label", "l"), List.of("Version", "v"))) {
      String value = fields.get(key.get(0));
      if (value != null && !value.isEmpty()) {
        parts.add(key.get(1) + "=" + value);
      }
    }
    if (component != null) {
      parts.add("c=" + component);
    }
    return String.join(",", parts);
  }
}

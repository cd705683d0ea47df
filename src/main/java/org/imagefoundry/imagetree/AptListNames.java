package org.imagefoundry.imagetree;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The names apt gives the files of a repo's suite in {@code /var/lib/apt/lists}: the URI without scheme
 * and credentials, unsafe characters quoted as {@code %xx} and every {@code /} turned into {@code _}
 * (apt's {@code URItoFileName}), e.g. {@code <host>_debian_dists_bookworm_main_binary-amd64_Packages}.
 */
public final class AptListNames {

  /** apt's QuoteString set for list names: these, controls, spaces and non-ASCII bytes become %xx. */
  private static final String QUOTED = "\\|{}[]<>\"^~_=!@#$%^&*";

  private AptListNames() {}

  /** What every list file of {@code suite} of the repo at {@code repoUri} starts with (up to the path in its Release file). */
  public static String suitePrefix(String repoUri, String suite) {
    URI uri = URI.create(repoUri);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (!path.endsWith("/")) {
      path += "/";
    }
    String hostPort = uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    return quote(hostPort + path + "dists/" + suite + "/");
  }

  /** The path inside the suite (as its Release file names it) of the list file {@code name}, if it is one of the suite's. */
  public static Optional<String> pathInSuite(String prefix, String name) {
    if (!name.startsWith(prefix) || name.length() == prefix.length()) {
      return Optional.empty();
    }
    String quoted = name.substring(prefix.length()).replace('_', '/');
    var bytes = new ByteArrayOutputStream();
    for (int i = 0; i < quoted.length(); i++) {
      char c = quoted.charAt(i);
      if (c == '%') {
        if (i + 2 >= quoted.length()) {
          return Optional.empty();
        }
        try {
          bytes.write(Integer.parseInt(quoted.substring(i + 1, i + 3), 16));
          i += 2;
          continue;
        } catch (NumberFormatException e) {
          return Optional.empty();
        }
      }
      bytes.write(c);
    }
    return Optional.of(bytes.toString(StandardCharsets.UTF_8));
  }

  static String quote(String uri) {
    var text = new StringBuilder();
    for (byte b : uri.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c <= 0x20 || c >= 0x7f || QUOTED.indexOf(c) >= 0) {
        text.append('%').append(String.format("%02x", c));
      } else {
        text.append((char) c);
      }
    }
    return text.toString().replace('/', '_');
  }
}

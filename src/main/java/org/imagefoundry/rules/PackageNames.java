package org.imagefoundry.rules;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A package entry of a request installs exactly that package: a Debian name (policy 5.6.1), optionally
 * {@code =version} (5.6.12), and never something apt-get reads otherwise: a pattern, a task, a release
 * selector or a removal. apt-get takes a name with a trailing {@code -} as "remove" and, when no package
 * has exactly the name, a name with regex characters ({@code .} and {@code +} are legal in names) as a
 * regex matching many. So a name ending in {@code -}, and one whose dots and pluses only a regex would
 * hold ({@code ..}, {@code .+}, {@code +.}, a trailing dot), is refused here; the rest, before apt-get
 * install, must be the exact name of a package of the build's repos, or the build fails naming it
 * (see host/Apt). A trailing {@code +} is kept: real packages end so ({@code g++}, {@code ncbi-blast+}),
 * and to apt-get install it means "install", the very thing asked.
 */
public final class PackageNames {

  private static final Pattern ENTRY = Pattern.compile(
      "([a-z0-9][a-z0-9+.-]+)(=([0-9]+:)?[0-9][A-Za-z0-9.+~-]*(-[A-Za-z0-9.+~]+)?)?");
  private static final Pattern REGEX_ONLY = Pattern.compile(".*(\\.\\.|\\.\\+|\\+\\.).*|.*\\.");
  /** The characters of apt's regex detection that a Debian name may hold. */
  private static final Pattern REGEX_CHARACTERS = Pattern.compile(".*[.+].*");

  private PackageNames() {}

  /** Why {@code entry} is refused, or empty when it asks for one package by its exact name. */
  public static Optional<String> problem(String entry) {
    var matcher = ENTRY.matcher(entry);
    if (!matcher.matches()) {
      return Optional.of("must be a Debian package name (lower case letters, digits, '+', '-', '.'), optionally "
          + "with =version; never a pattern, a task or /release");
    }
    String name = matcher.group(1);
    if (entry.endsWith("-")) { // also after a version: apt-get reads "less=1.0-" as "remove less 1.0"
      return Optional.of("a trailing '-' asks apt-get to remove the package");
    }
    if (REGEX_ONLY.matcher(name).matches()) {
      return Optional.of("apt-get would read this name as a pattern");
    }
    return Optional.empty();
  }

  /** The package name of an entry: without its {@code =version}. */
  public static String name(String entry) {
    int equals = entry.indexOf('=');
    return equals < 0 ? entry : entry.substring(0, equals);
  }

  /** True when apt-get would read the name as a regex unless a package has exactly this name. */
  public static boolean mayBeReadAsPattern(String entry) {
    return REGEX_CHARACTERS.matcher(name(entry)).matches();
  }
}

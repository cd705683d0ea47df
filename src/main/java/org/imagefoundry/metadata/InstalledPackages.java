package org.imagefoundry.metadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.imagefoundry.spec.BuildSpec.RepoSpec;

/** Reads dpkg-query's and apt-cache policy's output into the packages an image holds and where each came from. */
public final class InstalledPackages {

  private InstalledPackages() {}

  /**
   * The installed packages of {@code dpkg-query --show} lines ({@code Status-Abbrev, Package, Version,
   * Architecture, source:Package}, tab-separated), sorted by name; lines of packages not installed are skipped.
   */
  public static List<PackageMetadata> parse(List<String> dpkgLines, Map<String, String> repoOf) {
    List<PackageMetadata> packages = new ArrayList<>();
    for (String line : dpkgLines) {
      String[] fields = line.split("\t", -1);
      if (fields.length != 5 || !fields[0].startsWith("ii")) {
        continue;
      }
      String source = fields[4].isEmpty() ? fields[1] : fields[4];
      packages.add(new PackageMetadata(fields[1], fields[2], fields[3], source, repoOf.get(fields[1] + "=" + fields[2])));
    }
    packages.sort(java.util.Comparator.comparing(PackageMetadata::name).thenComparing(PackageMetadata::architecture));
    return packages;
  }

  /**
   * From {@code apt-cache policy} output: {@code name=version} of each installed version to the name of
   * the first of {@code repos} that offers it. A version table line reads
   * {@code " *** 590-2.1 500"}, its sources {@code "        500 http://host/debian bookworm/main amd64 Packages"}.
   */
  public static Map<String, String> repos(List<String> policyLines, List<RepoSpec> repos) {
    Map<String, String> repoOf = new HashMap<>();
    String name = null;
    String installed = null;
    for (String line : policyLines) {
      if (!line.startsWith(" ") && line.endsWith(":")) {
        name = line.substring(0, line.length() - 1);
        int colon = name.indexOf(':');
        name = colon < 0 ? name : name.substring(0, colon); // multi-arch: name:amd64
        installed = null;
      } else if (line.startsWith(" *** ")) {
        installed = line.substring(5).trim().split("\\s+")[0];
      } else if (line.matches(" {5}\\S.*")) {
        installed = null; // another version's table
      } else if (name != null && installed != null && line.matches(" {8}-?[0-9]+ .*")) {
        String[] fields = line.trim().split("\\s+");
        String key = name + "=" + installed;
        if (fields.length >= 3 && !repoOf.containsKey(key)) {
          repoFor(fields[1], fields[2], repos).ifPresent(repo -> repoOf.put(key, repo));
        }
      }
    }
    return repoOf;
  }

  private static Optional<String> repoFor(String uri, String suiteAndSection, List<RepoSpec> repos) {
    String suite = suiteAndSection.contains("/") ? suiteAndSection.substring(0, suiteAndSection.indexOf('/')) : suiteAndSection;
    return repos.stream().filter(r -> normal(r.uri()).equals(normal(uri)) && suite.equals(r.suite()))
        .map(RepoSpec::name).findFirst();
  }

  /** apt prints {@code file:/dir} for {@code file:///dir}, and drops trailing slashes. */
  static String normal(String uri) {
    String text = uri == null ? "" : uri.replaceFirst("^file:///", "file:/");
    return text.replaceAll("/+$", "");
  }
}

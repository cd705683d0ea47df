package org.imagefoundry.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.junit.jupiter.api.Test;

class InstalledPackagesTest {

  static final List<RepoSpec> REPOS = List.of(
      new RepoSpec("debian", "http://mirror.invalid/debian/", "bookworm", "main", null, "deb", null, null),
      new RepoSpec("local", "file:///var/tmp/repo", "stable", "main", null, "deb", null, null));

  @Test
  void dpkgQueryLinesBecomeInstalledPackagesSortedWithTheirSourceAndRepo() {
    List<String> lines = List.of(
        "ii \tless\t590-2.1~deb12u2\tamd64\t",
        "ii \tlibc6\t2.36-9+deb12u10\tamd64\tglibc",
        "rc \tgone\t1.0\tamd64\t",
        "dpkg-query: a warning");

    var packages = InstalledPackages.parse(lines, Map.of("less=590-2.1~deb12u2", "debian"));

    assertThat(packages).containsExactly(
        new PackageMetadata("less", "590-2.1~deb12u2", "amd64", "less", "debian"),
        new PackageMetadata("libc6", "2.36-9+deb12u10", "amd64", "glibc", null));
  }

  @Test
  void aptCachePolicyNamesTheRepoOfTheInstalledVersionNotOfAnother() {
    List<String> policy = List.of(
        "less:",
        "  Installed: 590-2.1~deb12u2",
        "  Candidate: 600-1",
        "  Version table:",
        "     600-1 500",
        "        500 file:/var/tmp/repo stable/main amd64 Packages",
        " *** 590-2.1~deb12u2 500",
        "        500 http://mirror.invalid/debian bookworm/main amd64 Packages",
        "        100 /var/lib/dpkg/status",
        "tool:",
        "  Installed: 1.0",
        "  Candidate: 1.0",
        "  Version table:",
        " *** 1.0 500",
        "        500 file:/var/tmp/repo stable/main amd64 Packages",
        "orphan:",
        "  Installed: 2",
        "  Version table:",
        " *** 2 100",
        "        100 /var/lib/dpkg/status");

    assertThat(InstalledPackages.repos(policy, REPOS))
        .isEqualTo(Map.of("less=590-2.1~deb12u2", "debian", "tool=1.0", "local"));
  }
}

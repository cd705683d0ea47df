package org.imagefoundry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.codec.digest.DigestUtils;
import org.imagefoundry.host.Debootstrapper;
import org.imagefoundry.host.Gpgv;
import org.imagefoundry.host.ProcessCommandRunner;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Settings;
import org.imagefoundry.testing.SignedRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/** The pool fed to the next bootstrap of the same recipe: what a signed index vouched for, under apt's names. */
class BootstrapPackagesTest {

  static final byte[] LIBC = "libc6 as the archive has it".getBytes(StandardCharsets.UTF_8);
  static final byte[] APT = "apt as the archive has it".getBytes(StandardCharsets.UTF_8);
  static final byte[] PLANTED = "a package no index lists".getBytes(StandardCharsets.UTF_8);

  @TempDir static Path keys;
  static SignedRepository repo;

  @TempDir Path dir;

  @BeforeAll
  static void makeKey() {
    repo = SignedRepository.create(keys);
  }

  @AfterAll
  static void stopAgent() {
    repo.close();
  }

  BootstrapPackages bootstrapPackages(boolean cacheEnabled) {
    DataSize max = DataSize.ofGigabytes(1);
    return new BootstrapPackages(new PackagePool(
        Settings.withCache(dir, new FoundrySettings.Cache(cacheEnabled, max, max, true)),
        new SignedIndexes(new Gpgv(new ProcessCommandRunner()))));
  }

  static Debootstrapper.Options options(String suite, boolean trusted) {
    return new Debootstrapper.Options(suite, SignedRepository.URI, "amd64", "minbase", List.of("ca-certificates"),
        repo.keyring(), trusted, Map.of());
  }

  /** A target as mmdebstrap leaves it with its cleanup skipped: the signed lists and the downloaded packages. */
  Path bootstrapped(String build) throws Exception {
    Path root = dir.resolve("build/" + build + "/root");
    repo.writeLists(root.resolve("var/lib/apt/lists"),
        SignedRepository.stanza("libc6", "2.36-9", LIBC) + SignedRepository.stanza("apt", "2.6.1", APT));
    Path archives = Files.createDirectories(root.resolve("var/cache/apt/archives"));
    Files.write(archives.resolve("libc6_2.36-9_amd64.deb"), LIBC);
    Files.write(archives.resolve("apt_2.6.1_amd64.deb"), APT);
    Files.write(archives.resolve("planted_1_amd64.deb"), PLANTED);
    return root;
  }

  @Test
  void theNextBootstrapOfTheRecipeFindsCopiesOfWhatTheLastDownloadedAndASignedIndexVouchedFor() throws Exception {
    BootstrapPackages packages = bootstrapPackages(true);
    packages.keep(options("bookworm", false), bootstrapped("b1"), "b1");
    Path next = Files.createDirectories(dir.resolve("build/b2/root"));

    packages.lend(options("bookworm", false), next);

    Path archives = next.resolve("var/cache/apt/archives");
    assertThat(archives.resolve("libc6_2.36-9_amd64.deb")).hasBinaryContent(LIBC);
    assertThat(archives.resolve("apt_2.6.1_amd64.deb")).hasBinaryContent(APT);
    assertThat(archives.resolve("planted_1_amd64.deb")).doesNotExist();
    assertThat(Files.getAttribute(archives.resolve("apt_2.6.1_amd64.deb"), "unix:nlink")).as("a copy").isEqualTo(1);
    Path list = packages.list(options("bookworm", false));
    assertThat(Files.readAllLines(list)).containsExactlyInAnyOrder(
        "libc6_2.36-9_amd64.deb " + LIBC.length + " " + DigestUtils.sha256Hex(LIBC),
        "apt_2.6.1_amd64.deb " + APT.length + " " + DigestUtils.sha256Hex(APT));
  }

  @Test
  void aPackageUnderAnotherPackagesNameIsPooledButNeverListedUnderThatName() throws Exception {
    BootstrapPackages packages = bootstrapPackages(true);
    Path root = bootstrapped("b1");
    Path archives = root.resolve("var/cache/apt/archives");
    // a script of the bootstrap swapped two files: each is a vouched package, under the other's name
    Files.write(archives.resolve("libc6_2.36-9_amd64.deb"), APT);
    Files.write(archives.resolve("apt_2.6.1_amd64.deb"), LIBC);

    packages.keep(options("bookworm", false), root, "b1");

    assertThat(dir.resolve("data/cache/packages/sha256/" + DigestUtils.sha256Hex(APT) + ".deb")).hasBinaryContent(APT);
    assertThat(packages.list(options("bookworm", false))).doesNotExist();
  }

  @Test
  void anotherRecipeIsLentNothing() throws Exception {
    BootstrapPackages packages = bootstrapPackages(true);
    packages.keep(options("bookworm", false), bootstrapped("b1"), "b1");
    Path next = Files.createDirectories(dir.resolve("build/b2/root"));

    packages.lend(options("trixie", false), next);

    assertThat(next.resolve("var/cache/apt/archives")).doesNotExist();
  }

  @Test
  void aRepoWithoutSignatureChecksVouchesForNothingAndLeavesNoList() throws Exception {
    BootstrapPackages packages = bootstrapPackages(true);

    packages.keep(options("bookworm", true), bootstrapped("b1"), "b1");

    assertThat(packages.list(options("bookworm", true))).doesNotExist();
    assertThat(dir.resolve("data/cache/packages/sha256/" + DigestUtils.sha256Hex(APT) + ".deb")).doesNotExist();
  }

  @Test
  void aListLineThatNamesNoPooledPackageOrABadNameIsSkipped() throws Exception {
    BootstrapPackages packages = bootstrapPackages(true);
    Path list = packages.list(options("bookworm", false));
    Files.createDirectories(list.getParent());
    Files.writeString(list, "../escape.deb 3 " + DigestUtils.sha256Hex(APT) + "\n"
        + "gone_1_amd64.deb 3 " + DigestUtils.sha256Hex("gone") + "\n");
    Path next = Files.createDirectories(dir.resolve("build/b2/root"));

    packages.lend(options("bookworm", false), next);

    assertThat(next.resolve("var/cache/apt/archives")).isEmptyDirectory();
    assertThat(dir.resolve("build/b2/root/var/cache/apt/escape.deb")).doesNotExist();
  }

  @Test
  void withTheCacheOffNothingIsKeptOrLent() throws Exception {
    BootstrapPackages packages = bootstrapPackages(false);

    packages.keep(options("bookworm", false), bootstrapped("b1"), "b1");

    assertThat(packages.list(options("bookworm", false))).doesNotExist();
  }
}

package org.imagefoundry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.commons.codec.digest.DigestUtils;
import org.imagefoundry.host.Debootstrapper;
import org.imagefoundry.host.Gpgv;
import org.imagefoundry.host.ProcessCommandRunner;
import org.imagefoundry.host.Sandbox;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.spec.BuildSpec;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.FileServer;
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
  /** Whether each resolution found the lists in the target before its apt-get update. */
  final List<Boolean> listsFound = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void makeKey() {
    repo = SignedRepository.create(keys);
  }

  @AfterAll
  static void stopAgent() {
    repo.close();
  }

  BootstrapPackages bootstrapPackages(boolean cacheEnabled) {
    return bootstrapPackages(cacheEnabled, List.of());
  }

  /** With a bootstrap whose apt resolves to {@code resolved} and leaves the repo's signed lists in the target. */
  BootstrapPackages bootstrapPackages(boolean cacheEnabled, List<Debootstrapper.PackageFile> resolved) {
    return bootstrapPackages(cacheEnabled, resolved, Duration.ZERO);
  }

  BootstrapPackages bootstrapPackages(boolean cacheEnabled, List<Debootstrapper.PackageFile> resolved,
      Duration releaseMaxAge) {
    DataSize max = DataSize.ofGigabytes(1);
    FakeHost host = new FakeHost();
    Debootstrapper debootstrapper = new Debootstrapper(host, new Sandbox(host, host), Settings.defaults()) {
      @Override
      public List<PackageFile> packageFiles(Path root, Options options) {
        listsFound.add(Files.exists(root.resolve("var/lib/apt/lists/" + SignedRepository.IN_RELEASE)));
        repo.writeLists(root.resolve("var/lib/apt/lists"),
            SignedRepository.stanza("libc6", "2.36-9", LIBC) + SignedRepository.stanza("apt", "2.6.1", APT));
        return resolved;
      }
    };
    FoundrySettings settings = Settings.withCache(dir, new FoundrySettings.Cache(cacheEnabled, max, max, true, releaseMaxAge, false));
    SignedIndexes indexes = new SignedIndexes(new Gpgv(new ProcessCommandRunner()));
    return new BootstrapPackages(new PackagePool(settings, indexes),
        new AptListsPool(settings, new CacheStore(settings), indexes), debootstrapper, new PackageFetcher());
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

    boolean all = packages.lend(options("bookworm", false), next);

    assertThat(all).as("the whole list lent").isTrue();
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
  void aBootstrapThatHadOnlyWhatWasLentLeavesTheListAsItWasAndPoolsNothing() throws Exception {
    BootstrapPackages packages = bootstrapPackages(true);
    packages.keep(options("bookworm", false), bootstrapped("b1"), "b1");
    Path list = packages.list(options("bookworm", false));
    List<String> before = Files.readAllLines(list);
    Path next = Files.createDirectories(dir.resolve("build/b2/root"));
    packages.lend(options("bookworm", false), next);
    Path archives = next.resolve("var/cache/apt/archives");
    // a copy changed in the target (say, by a script): it must not reach the pool under the package's hash
    byte[] changed = "apt AS the archive has it".getBytes(StandardCharsets.UTF_8);
    assertThat(changed).hasSameSizeAs(APT);
    Files.write(archives.resolve("apt_2.6.1_amd64.deb"), changed);
    Files.setLastModifiedTime(list, java.nio.file.attribute.FileTime.fromMillis(0));

    packages.keep(options("bookworm", false), next, "b2");

    assertThat(Files.readAllLines(list)).isEqualTo(before);
    assertThat(Files.getLastModifiedTime(list).toMillis()).as("not written again").isZero();
    assertThat(dir.resolve("data/cache/packages/sha256/" + DigestUtils.sha256Hex(changed) + ".deb")).doesNotExist();
  }

  @Test
  void aBootstrapThatDownloadedMoreThanWasLentHasItsPackagesCheckedAndListedAnew() throws Exception {
    BootstrapPackages packages = bootstrapPackages(true);
    Path first = bootstrapped("b1");
    Files.delete(first.resolve("var/cache/apt/archives/apt_2.6.1_amd64.deb"));
    packages.keep(options("bookworm", false), first, "b1");
    Path list = packages.list(options("bookworm", false));
    assertThat(Files.readAllLines(list)).hasSize(1);

    packages.keep(options("bookworm", false), bootstrapped("b2"), "b2");

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

    boolean all = packages.lend(options("trixie", false), next);

    assertThat(all).as("the whole list lent").isFalse();
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

    boolean all = packages.lend(options("bookworm", false), next);

    assertThat(all).as("the whole list lent").isFalse();
    assertThat(next.resolve("var/cache/apt/archives")).isEmptyDirectory();
    assertThat(dir.resolve("build/b2/root/var/cache/apt/escape.deb")).doesNotExist();
  }

  static Debootstrapper.PackageFile file(String name, byte[] content) {
    return new Debootstrapper.PackageFile(URI.create(SignedRepository.URI + "/pool/main/" + name), name, content.length);
  }

  /** The mirror behind a proxy on this host, which answers for repo.invalid (the files by name). */
  static FileServer proxyServing(Map<String, byte[]> files) {
    return FileServer.answering(uri -> {
      byte[] body = files.get(uri.getPath().replaceAll(".*/", ""));
      return body == null ? FileServer.Answer.notFound() : FileServer.Answer.ok(body);
    });
  }

  static BuildSpec.Proxies through(FileServer proxy) {
    return new BuildSpec.Proxies(Map.of("http", proxy.uri()), null);
  }

  @Test
  void beforeTheBootstrapWhatItNeedsIsFetchedAndLentOnceASignedIndexVouchesForIt() throws Exception {
    BootstrapPackages packages = bootstrapPackages(true, List.of(file("libc6_2.36-9_amd64.deb", LIBC),
        file("apt_2.6.1_amd64.deb", APT), file("planted_1_amd64.deb", PLANTED)));
    Path root = Files.createDirectories(dir.resolve("build/b1/root"));
    try (FileServer mirror = proxyServing(Map.of("libc6_2.36-9_amd64.deb", LIBC, "apt_2.6.1_amd64.deb", APT,
        "planted_1_amd64.deb", PLANTED))) {

      packages.prefetch(options("bookworm", false), root, "b1", through(mirror));

      assertThat(mirror.asked()).as("through the proxy").containsExactlyInAnyOrder(
          URI.create(SignedRepository.URI + "/pool/main/libc6_2.36-9_amd64.deb"),
          URI.create(SignedRepository.URI + "/pool/main/apt_2.6.1_amd64.deb"),
          URI.create(SignedRepository.URI + "/pool/main/planted_1_amd64.deb"));
    }
    Path archives = root.resolve("var/cache/apt/archives");
    assertThat(archives.resolve("libc6_2.36-9_amd64.deb")).hasBinaryContent(LIBC);
    assertThat(archives.resolve("apt_2.6.1_amd64.deb")).hasBinaryContent(APT);
    assertThat(archives.resolve("planted_1_amd64.deb")).as("no signed index lists it").doesNotExist();
    assertThat(dir.resolve("data/cache/packages/sha256/" + DigestUtils.sha256Hex(PLANTED) + ".deb")).doesNotExist();
    assertThat(dir.resolve("data/cache/packages/fetching/b1")).as("the fetched files' own directory").doesNotExist();
  }

  @Test
  void aFetchedFileUnderAnotherPackagesNameIsNeverLent() throws Exception {
    BootstrapPackages packages = bootstrapPackages(true, List.of(file("libc6_2.36-9_amd64.deb", APT)));
    Path root = Files.createDirectories(dir.resolve("build/b1/root"));
    // the mirror (or whoever answers for it) sends apt's package as libc6, with the size the listing gave
    try (FileServer mirror = proxyServing(Map.of("libc6_2.36-9_amd64.deb", APT))) {

      packages.prefetch(options("bookworm", false), root, "b1", through(mirror));
    }
    assertThat(root.resolve("var/cache/apt/archives/libc6_2.36-9_amd64.deb")).doesNotExist();
  }

  @Test
  void whatWasLentFromThePoolIsNotFetchedAgain() throws Exception {
    BootstrapPackages packages = bootstrapPackages(true, List.of(file("libc6_2.36-9_amd64.deb", LIBC),
        file("apt_2.6.1_amd64.deb", APT)));
    packages.keep(options("bookworm", false), bootstrapped("b1"), "b1");
    Path next = Files.createDirectories(dir.resolve("build/b2/root"));
    packages.lend(options("bookworm", false), next);
    try (FileServer mirror = proxyServing(Map.of())) {

      packages.prefetch(options("bookworm", false), next, "b2", through(mirror));

      assertThat(mirror.asked()).isEmpty();
    }
  }

  @Test
  void aBootstrapLentAllOfTheLastOneLikeItResolvesNothingButIsLentTheLists() throws Exception {
    BootstrapPackages packages = bootstrapPackages(true, List.of(file("libc6_2.36-9_amd64.deb", LIBC),
        file("apt_2.6.1_amd64.deb", APT)));
    Path first = Files.createDirectories(dir.resolve("build/b1/root"));
    try (FileServer mirror = proxyServing(Map.of("libc6_2.36-9_amd64.deb", LIBC, "apt_2.6.1_amd64.deb", APT))) {
      packages.feed(options("bookworm", false), first, "b1", through(mirror));
      packages.keep(options("bookworm", false), first, "b1");
      Path next = Files.createDirectories(dir.resolve("build/b2/root"));

      packages.feed(options("bookworm", false), next, "b2", through(mirror));

      assertThat(listsFound).as("resolved once, for the first").hasSize(1);
      assertThat(mirror.asked()).hasSize(2);
      assertThat(next.resolve("var/cache/apt/archives/apt_2.6.1_amd64.deb")).hasBinaryContent(APT);
      assertThat(next.resolve("var/lib/apt/lists/" + SignedRepository.IN_RELEASE)).exists();
    }
  }

  @Test
  void aBootstrapLentAllOfTheLastOneLikeItWhoseListsWereConfirmedWithinTheMaxAgeNeedNotUpdate() throws Exception {
    List<Debootstrapper.PackageFile> resolved = List.of(file("libc6_2.36-9_amd64.deb", LIBC), file("apt_2.6.1_amd64.deb", APT));
    try (FileServer mirror = proxyServing(Map.of("libc6_2.36-9_amd64.deb", LIBC, "apt_2.6.1_amd64.deb", APT))) {
      BootstrapPackages packages = bootstrapPackages(true, resolved, Duration.ofSeconds(60));
      Path first = Files.createDirectories(dir.resolve("build/b1/root"));
      assertThat(packages.feed(options("bookworm", false), first, "b1", through(mirror))).as("resolved: updated here").isFalse();
      packages.keep(options("bookworm", false), first, "b1");

      assertThat(packages.feed(options("bookworm", false), Files.createDirectories(dir.resolve("build/b2/root")), "b2",
          through(mirror))).as("lent whole, lists confirmed moments ago").isTrue();
      assertThat(bootstrapPackages(true, resolved, Duration.ZERO).feed(options("bookworm", false),
          Files.createDirectories(dir.resolve("build/b3/root")), "b3", through(mirror))).as("no max age").isFalse();
    }
  }

  @Test
  void theListsOfTheLastBootstrapOfTheSourceAreInTheTargetBeforeItsAptUpdate() throws Exception {
    BootstrapPackages packages = bootstrapPackages(true, List.of());
    Path first = Files.createDirectories(dir.resolve("build/b1/root"));
    Path second = Files.createDirectories(dir.resolve("build/b2/root"));
    Path elsewhere = Files.createDirectories(dir.resolve("build/b3/root"));

    packages.prefetch(options("bookworm", false), first, "b1", null);
    packages.prefetch(options("bookworm", false), second, "b2", null);
    packages.prefetch(options("trixie", false), elsewhere, "b3", null);

    assertThat(listsFound).as("first, same source, another suite").containsExactly(false, true, false);
  }

  @Test
  void withTheCacheOffNothingIsKeptOrLent() throws Exception {
    BootstrapPackages packages = bootstrapPackages(false);

    packages.keep(options("bookworm", false), bootstrapped("b1"), "b1");

    assertThat(packages.list(options("bookworm", false))).doesNotExist();
  }
}

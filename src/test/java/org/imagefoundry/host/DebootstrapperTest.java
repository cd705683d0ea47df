package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebootstrapperTest {

  static final Path KEYRING = Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");
  static final String MIRROR = "http://127.0.0.1:9/debian";

  final FakeHost host = new FakeHost();
  final Debootstrapper debootstrapper = new Debootstrapper(host, new Sandbox(host, host), Settings.defaults());
  @TempDir Path root;

  static Debootstrapper.Options options(boolean trusted) {
    return new Debootstrapper.Options("bookworm", MIRROR, "amd64", "minbase", List.of("ca-certificates"), KEYRING,
        trusted, Map.of("http_proxy", "http://proxy.invalid:3128"));
  }

  @Test
  void mmdebstrapRunsBesideTheTargetInASandboxOfItsOwnSeeingTheKeyring() throws Exception {
    Path target = Files.createDirectories(root.resolve("b1/root"));

    debootstrapper.run(target, options(false));

    List<String> expected = List.of("mmdebstrap", "--mode=root", "--variant=minbase", "--include=ca-certificates,usr-is-merged",
        "--architectures=amd64", "--setup-hook=/usr/share/mmdebstrap/hooks/merged-usr/setup00.sh", "--keyring=" + KEYRING, "--aptopt=Acquire::http::AllowRedirect \"false\"",
        "--aptopt=Acquire::https::AllowRedirect \"false\"", "--skip=check/empty,chroot/mount,chroot/policy-rc.d,check/qemu,essential/unlink,cleanup/apt/lists,cleanup/apt/cache",
        "bookworm", target.toString(), MIRROR);
    assertThat(host.commandsEntered()).containsExactly(Sandbox.beside(target, List.of(KEYRING), expected));
    assertThat(host.commands().get(0)).startsWith("nsenter"); // the whole bootstrap in a user namespace of its own
    assertThat(host.running()).isEmpty();
  }

  @Test
  void withCurrentListsMmdebstrapSkipsItsUpdate() throws Exception {
    Path target = Files.createDirectories(root.resolve("b1/root"));

    debootstrapper.run(target, options(false), true);

    assertThat(FakeHost.innermost(host.commands().get(0))).contains(
        "--skip=check/empty,chroot/mount,chroot/policy-rc.d,check/qemu,essential/unlink,cleanup/apt/lists,cleanup/apt/cache,update");
  }

  @Test
  void aSuiteWithoutUsrIsMergedBootstrapsWithoutTheMergedUsrHooks() throws Exception {
    Path target = Files.createDirectories(root.resolve("b1/root"));
    var bullseye = new Debootstrapper.Options("bullseye", MIRROR, "amd64", "minbase", List.of("ca-certificates"),
        KEYRING, false, Map.of());

    debootstrapper.run(target, bullseye);

    assertThat(FakeHost.innermost(host.commands().get(0))).noneMatch(arg -> arg.contains("hook"))
        .contains("--include=ca-certificates", "bullseye");
  }

  @Test
  void theArchivesUsrIsMergedInstalledPassesTheCheck() throws Exception {
    Files.createDirectories(root.resolve("var/lib/dpkg"));
    Files.writeString(root.resolve("var/lib/dpkg/status"), FakeHost.USR_IS_MERGED_STATUS);

    Debootstrapper.checkUsrIsMerged(root, options(false)); // throws otherwise
  }

  @Test
  void aBootstrapThatLeftTheHooksStandInFailsTheBuildNamingTheSuiteAndRepo() throws Exception {
    Files.createDirectories(root.resolve("var/lib/dpkg"));
    Files.writeString(root.resolve("var/lib/dpkg/status"), """
        Package: usr-is-merged
        Status: install ok installed
        Source: mmdebstrap-dummy-usr-is-merged
        Version: 1

        Package: less
        Status: install ok installed
        Source: usrmerge
        """);

    assertThatThrownBy(() -> Debootstrapper.checkUsrIsMerged(root, options(false))).isInstanceOf(BuildFailure.class)
        .hasMessageContaining("suite bookworm of repo " + MIRROR).hasMessageContaining("usr-is-merged");
  }

  @Test
  void aBootstrapWithoutUsrIsMergedFailsTheBuild() throws Exception {
    Files.createDirectories(root.resolve("var/lib/dpkg"));
    Files.writeString(root.resolve("var/lib/dpkg/status"), "Package: base-files\nStatus: install ok installed\n");

    assertThatThrownBy(() -> Debootstrapper.checkUsrIsMerged(root, options(false))).isInstanceOf(BuildFailure.class);
  }

  @Test
  void aDpkgStatusThatIsNoRegularFileIsNotRead() throws Exception {
    Files.createDirectories(root.resolve("var/lib/dpkg/status")); // a FIFO would block a read just as long

    assertThatThrownBy(() -> Debootstrapper.checkUsrIsMerged(root, options(false))).isInstanceOf(BuildFailure.class)
        .hasMessageContaining("regular file");
  }

  @Test
  void aDpkgStatusThatIsALinkIsNotFollowed() throws Exception {
    Path elsewhere = Files.writeString(root.resolve("elsewhere"), FakeHost.USR_IS_MERGED_STATUS);
    Path tree = Files.createDirectories(root.resolve("tree/var/lib/dpkg"));
    Files.createSymbolicLink(tree.resolve("status"), elsewhere);

    assertThatThrownBy(() -> Debootstrapper.checkUsrIsMerged(root.resolve("tree"), options(false)))
        .isInstanceOf(BuildFailure.class).hasMessageContaining("symbolic link");
  }

  @Test
  void aTrustedRepoIsCheckedWithNoKeyring() throws Exception {
    Path target = Files.createDirectories(root.resolve("b1/root"));

    debootstrapper.run(target, options(true));

    List<String> bootstrap = FakeHost.innermost(host.commands().get(0));
    assertThat(bootstrap).noneMatch(arg -> arg.startsWith("--keyring"))
        .endsWith("bookworm", target.toString(), "deb [trusted=yes] " + MIRROR + " bookworm main");
    assertThat(host.commandsEntered().get(0)).doesNotContain(KEYRING.toString());
  }

  @Test
  void aReleaseWhoseSignatureDoesNotVerifyFailsTheBuildNamingTheRepo() throws Exception {
    Path target = Files.createDirectories(root.resolve("b1/root"));
    host.failOn(List.of("bwrap"), 1, 1,
        "W: GPG error: " + MIRROR + " bookworm InRelease: The following signatures couldn't be verified because"
            + " the public key is not available: NO_PUBKEY 6ED0E7B82643E131",
        "E: The repository '" + MIRROR + " bookworm InRelease' is not signed.",
        "E: apt-get update -oAPT::Status-Fd=<$fh> -oDpkg::Use-Pty=false failed",
        "E: mmdebstrap failed to run");

    assertThatThrownBy(() -> debootstrapper.run(target, options(false))).isInstanceOf(BuildFailure.class)
        .hasMessageContaining("suite bookworm of repo " + MIRROR).hasMessageContaining(KEYRING.toString())
        .hasMessageContaining("NO_PUBKEY");
    assertThat(host.running()).isEmpty();
  }

  @Test
  void anUnreachableMirrorStaysAFailedCommandThatARetryMayFix() throws Exception {
    Path target = Files.createDirectories(root.resolve("b1/root"));
    host.failOn(List.of("bwrap"), 1, 1, "E: Failed to fetch " + MIRROR + "/dists/bookworm/InRelease  Connection refused");

    assertThatThrownBy(() -> debootstrapper.run(target, options(false))).isInstanceOf(CommandFailedException.class)
        .isNotInstanceOf(BuildFailure.class);
  }

  @Test
  void aFileMirrorIsSeenReadOnly() throws Exception {
    Path target = Files.createDirectories(root.resolve("b1/root"));
    Path repo = Files.createDirectories(root.resolve("repo"));

    debootstrapper.run(target, new Debootstrapper.Options("bookworm", repo.toUri().toString(), "amd64", null,
        List.of("ca-certificates"), KEYRING, false, Map.of()));

    assertThat(String.join(" ", host.commandsEntered().get(0))).contains("--ro-bind " + repo + " " + repo);
  }

  @Test
  void thePackagesAndCachesMmdebstrapLeftGoButNotThroughALinkAndItsListsStay() throws Exception {
    Path target = root.resolve("b1/root");
    Path lists = Files.createDirectories(target.resolve("var/lib/apt/lists/partial"));
    Files.writeString(lists.resolveSibling("lock"), "");
    Files.writeString(lists.resolveSibling("deb.example_debian_dists_bookworm_InRelease"), "signed");
    Files.writeString(lists.resolve("half"), "x");
    Files.createDirectories(lists.resolveSibling("auxfiles")).resolve("a").toFile().createNewFile();
    Path archives = Files.createDirectories(target.resolve("var/cache/apt/archives/partial"));
    Files.writeString(archives.resolveSibling("libc6_2.36-9_amd64.deb"), "deb");
    Files.writeString(archives.resolveSibling("lock"), "");
    Files.writeString(target.resolve("var/cache/apt/pkgcache.bin"), "cache");
    Path outside = Files.createDirectories(root.resolve("outside"));
    Files.writeString(outside.resolve("keep.deb"), "mine");
    Files.createSymbolicLink(archives.resolveSibling("escape"), outside);

    debootstrapper.removeDownloadedPackages(target);

    assertThat(target.resolve("var/lib/apt/lists/deb.example_debian_dists_bookworm_InRelease")).hasContent("signed");
    assertThat(Files.list(target.resolve("var/cache/apt/archives")).map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder("lock", "partial");
    assertThat(target.resolve("var/cache/apt/pkgcache.bin")).doesNotExist();
    assertThat(outside.resolve("keep.deb")).hasContent("mine");
  }

  @Test
  void theBootstrapsPackageFilesAreResolvedByAptInTheSandboxForTheVariantAndTheIncludes() throws Exception {
    Path target = Files.createDirectories(root.resolve("b1/root"));

    debootstrapper.prepareApt(target, options(false));

    assertThat(debootstrapper.packageFiles(target, options(false))).isEmpty(); // the fake apt printed nothing

    assertThat(target.resolve("etc/apt/sources.list")).hasContent("deb [signed-by=" + KEYRING + "] " + MIRROR + " bookworm main");
    List<String> apt = Debootstrapper.apt(target, options(false));
    List<String> update = new java.util.ArrayList<>(apt);
    update.addAll(List.of("-q", "update", "--error-on=any"));
    List<String> resolve = new java.util.ArrayList<>(apt);
    resolve.addAll(List.of("-qq", "--print-uris", "install",
        "?narrow(?or(?archive(^bookworm$),?codename(^bookworm$)),?architecture(amd64),?or(?essential,?priority(required)))",
        "usr-is-merged", "ca-certificates"));
    assertThat(host.commandsEntered()).containsExactly(Sandbox.beside(target, List.of(KEYRING), update),
        Sandbox.beside(target, List.of(KEYRING), resolve));
    assertThat(apt).contains("Dir=" + target, "Dir::State::Status=/dev/null", "APT::Architecture=amd64",
        "Acquire::http::AllowRedirect=false");
  }

  @Test
  void aRepoWithoutSignatureChecksOrAFileMirrorResolvesNothingBeforehand() throws Exception {
    Path target = Files.createDirectories(root.resolve("b1/root"));
    var fileMirror = new Debootstrapper.Options("bookworm", "file:///srv/mirror", "amd64", "minbase", List.of(), KEYRING,
        false, Map.of());

    assertThat(debootstrapper.packageFiles(target, options(true))).isEmpty();
    assertThat(debootstrapper.packageFiles(target, fileMirror)).isEmpty();
    assertThat(host.commands()).isEmpty();
  }

  @Test
  void onlyPrintedFilesOfTheMirrorItselfUnderAptsNamesAreTaken() {
    List<Debootstrapper.PackageFile> files = Debootstrapper.packageFiles(List.of(
        "'" + MIRROR + "/pool/main/g/glibc/libc6_2.36-9_amd64.deb' libc6_2.36-9_amd64.deb 2757936 MD5Sum:0123",
        "'http://elsewhere.invalid/debian/pool/x_1_amd64.deb' x_1_amd64.deb 3 MD5Sum:0123",
        "'" + MIRROR + "/../../etc/y_1_amd64.deb' y_1_amd64.deb 3 MD5Sum:0123",
        "'" + MIRROR + "/pool/z.deb' ../z.deb 3 MD5Sum:0123",
        "W: some warning"), MIRROR);

    assertThat(files).containsExactly(new Debootstrapper.PackageFile(
        java.net.URI.create(MIRROR + "/pool/main/g/glibc/libc6_2.36-9_amd64.deb"), "libc6_2.36-9_amd64.deb", 2757936));
  }

  @Test
  void theSelectionFollowsTheVariantAndTheSuite() {
    var buildd = new Debootstrapper.Options("bullseye", MIRROR, "arm64", "buildd", List.of("ca-certificates"), KEYRING,
        false, Map.of());
    var important = new Debootstrapper.Options("bookworm", MIRROR, "amd64", null, List.of(), KEYRING, false, Map.of());

    assertThat(Debootstrapper.selection(buildd)).containsExactly(
        "?narrow(?or(?archive(^bullseye$),?codename(^bullseye$)),?architecture(arm64),?or(?essential,?priority(required)))",
        "build-essential", "ca-certificates");
    assertThat(Debootstrapper.selection(important)).containsExactly(
        "?narrow(?or(?archive(^bookworm$),?codename(^bookworm$)),?architecture(amd64),"
            + "?or(?essential,?priority(required),?priority(important)))", "usr-is-merged");
  }

  @Test
  void anUpdateThatFailsLeavesNoCacheSoMmdebstrapRunsItsOwnAndNamesTheRepo() throws Exception {
    Path target = Files.createDirectories(root.resolve("b1/root"));
    Files.createDirectories(target.resolve("var/cache/apt"));
    Files.writeString(target.resolve("var/cache/apt/pkgcache.bin"), "as a failed update may leave it");
    host.failOn(List.of("bwrap"), 100, 1, "E: The repository '" + MIRROR + " bookworm InRelease' is not signed.");

    assertThatThrownBy(() -> debootstrapper.packageFiles(target, options(false))).isInstanceOf(CommandFailedException.class);

    assertThat(target.resolve("var/cache/apt/pkgcache.bin")).doesNotExist();
    assertThat(host.commandsEntered()).hasSize(1);
  }
}

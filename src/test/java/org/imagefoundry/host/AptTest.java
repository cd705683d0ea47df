package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;

class AptTest {

  final FakeHost host = new FakeHost();
  final Apt apt = new Apt(new Sandbox(host, host), Settings.defaults());
  final Path root = Path.of("/build/b1/root");

  @Test
  void runsAptGetInTheSandboxNonInteractively() {
    apt.update(root);
    apt.upgradeAndInstall(root, List.of("less", "openssh-server"));

    assertThat(host.commandsEntered()).containsExactly(
        Sandbox.in(root, "apt-get", "update"),
        Sandbox.in(root, "apt-get", "-y", "-o", "Dpkg::Options::=--force-confdef",
            "-o", "Dpkg::Options::=--force-confold", "dist-upgrade", "less", "openssh-server"));
  }

  @Test
  void withoutPackagesItIsAPlainDistUpgrade() {
    apt.upgradeAndInstall(root, List.of());

    assertThat(host.commandsEntered()).containsExactly(Sandbox.in(root, "apt-get", "-y",
        "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold", "dist-upgrade"));
  }

  @Test
  void aPackageAptCannotLocateIsAnUnrecoverableFailure() {
    host.failOn(List.of("bwrap"), 100, 1, "Reading package lists...", "E: Unable to locate package no-such-package");

    assertThatThrownBy(() -> apt.upgradeAndInstall(root, List.of("no-such-package")))
        .isInstanceOf(BuildFailure.class).hasMessageContaining("E: Unable to locate package no-such-package");
  }

  @Test
  void aNetworkErrorStaysRetryable() {
    host.failOn(List.of("bwrap"), 100, 1, "E: Failed to fetch http://127.0.0.1:9/debian/pool/x.deb  Connection refused");

    assertThatThrownBy(() -> apt.upgradeAndInstall(root, List.of("less"))).isInstanceOf(CommandFailedException.class)
        .isNotInstanceOf(BuildFailure.class);
  }

  @Test
  void aNameAptCouldReadAsAPatternIsInstalledOnlyWhenAPackageHasExactlyThatName() {
    host.failOn(Sandbox.in(root, "apt-cache"), 0, 1, "g++-12", "g++", "g++-multilib");

    apt.upgradeAndInstall(root, List.of("g++", "less"));

    assertThat(host.commandsEntered()).containsExactly(
        Sandbox.in(root, "apt-cache", "pkgnames", "g++"),
        Sandbox.in(root, "apt-get", "-y", "-o", "Dpkg::Options::=--force-confdef",
            "-o", "Dpkg::Options::=--force-confold", "dist-upgrade", "g++", "less"));
  }

  @Test
  void aNameNoPackageHasExactlyFailsTheBuildNamingItAndInstallsNothing() {
    host.failOn(Sandbox.in(root, "apt-cache"), 0, 1, "python3.11-dev", "python3.11-venv");

    assertThatThrownBy(() -> apt.upgradeAndInstall(root, List.of("less", "python3.11=3.11.2-6")))
        .isInstanceOf(BuildFailure.class).hasMessageContaining("python3.11");
    assertThat(host.commands("bwrap")).noneMatch(command -> command.contains("dist-upgrade"));
  }

  @Test
  void aRemovalOrAPatternNeverReachesAptGet() {
    for (String entry : List.of("less-", "a.+", "less=1.0-", "?name(less)")) {
      assertThatThrownBy(() -> apt.upgradeAndInstall(root, List.of(entry))).isInstanceOf(BuildFailure.class)
          .hasMessageContaining(entry);
    }
    assertThat(host.commands()).isEmpty();
  }

  @Test
  void theFilesADistUpgradeAndInstallWouldDownloadAreReadFromPrintUrisWithTheirSizeAndHash() {
    String md5 = "d04c2e9639dee67aa836d8232b1ca658";
    String sha256 = "a".repeat(64);
    host.failOn(Sandbox.in(root, "apt-get", "-qq", "--print-uris"), 0, 1,
        "'http://mirror.invalid/debian/pool/main/h/hello/hello_2.10-3_amd64.deb' hello_2.10-3_amd64.deb 53080 MD5Sum:" + md5,
        "'http://mirror.invalid/debian/pool/main/x/x/x_1%3a1_amd64.deb' x_1%3a1_amd64.deb 10 SHA256:" + sha256,
        "'http://mirror.invalid/debian/pool/main/y/y/y_1_amd64.deb' y_1_amd64.deb 10 SHA1:0123",
        "something else");

    List<Apt.Download> downloads = apt.downloads(root, List.of("hello", "less"));

    assertThat(downloads).containsExactly(new Apt.Download("hello_2.10-3_amd64.deb", 53080, "MD5Sum:" + md5),
        new Apt.Download("x_1%3a1_amd64.deb", 10, "SHA256:" + sha256));
    assertThat(host.commandsEntered()).containsExactly(
        Sandbox.in(root, "apt-get", "-qq", "--print-uris", "dist-upgrade", "hello", "less"));
  }

  @Test
  void whenAptCannotSayWhatItWouldDownloadNothingIsListed() {
    host.failOn(Sandbox.in(root, "apt-get", "-qq", "--print-uris"), 100, 1, "E: Unable to locate package nope");

    assertThat(apt.downloads(root, List.of("nope"))).isEmpty();
  }

  @Test
  void aKernelWithoutAnInitramfsGetsOneOnlyThatOne(@org.junit.jupiter.api.io.TempDir Path tree) throws Exception {
    java.nio.file.Files.createDirectories(tree.resolve("boot"));
    for (String file : List.of("vmlinuz-6.1.0-50-arm64", "vmlinuz-6.1.0-49-arm64", "initrd.img-6.1.0-49-arm64")) {
      java.nio.file.Files.writeString(tree.resolve("boot").resolve(file), "x");
    }

    apt.makeMissingInitramfs(tree);

    assertThat(host.commandsEntered()).containsExactly(Sandbox.in(tree, "update-initramfs", "-c", "-k", "6.1.0-50-arm64"));
  }

  @Test
  void aTreeWithoutBootOrWithEveryInitramfsNeedsNoPass(@org.junit.jupiter.api.io.TempDir Path tree) {
    apt.makeMissingInitramfs(tree);

    assertThat(host.commandsEntered()).isEmpty();
  }
}

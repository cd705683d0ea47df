package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebootstrapperTest {

  final FakeHost host = new FakeHost();
  final Debootstrapper debootstrapper = new Debootstrapper(host, new Sandbox(host, host), Settings.defaults());
  @TempDir Path root;

  @Test
  void unpacksOnTheHostAndRunsThePackageScriptsInTheSandbox() throws Exception {
    Path target = Files.createDirectories(root.resolve("b1/root"));
    Files.createSymbolicLink(target.resolve("proc"), Path.of("/proc")); // what the first stage leaves

    debootstrapper.run(target, new Debootstrapper.Options("bookworm", "http://127.0.0.1:9/debian", "amd64", "minbase",
        List.of("ca-certificates"), Path.of("/usr/share/keyrings/debian-archive-keyring.gpg"), false, Map.of()));

    assertThat(host.commandsEntered()).containsExactly(
        List.of("debootstrap", "--foreign", "--variant=minbase", "--include=ca-certificates", "--arch=amd64",
            "--keyring=/usr/share/keyrings/debian-archive-keyring.gpg", "bookworm", target.toString(),
            "http://127.0.0.1:9/debian"),
        Sandbox.in(target, "/debootstrap/debootstrap", "--second-stage"));
    assertThat(host.commands().get(1)).startsWith("nsenter"); // the second stage in a user namespace of its own
    assertThat(host.running()).isEmpty();
    assertThat(Files.isSymbolicLink(target.resolve("proc"))).isFalse();
    assertThat(target.resolve("proc")).isDirectory();
  }

  @Test
  void debootstrapsWgetFollowsNoRedirect() throws Exception {
    Files.createDirectories(root.resolve("b1/root"));

    Path wgetrc = Debootstrapper.noRedirects(root.resolve("b1/root"));

    assertThat(wgetrc).isEqualTo(root.resolve("b1/wgetrc"));
    assertThat(Files.readAllLines(wgetrc)).contains("max_redirect = 0");
  }
}

package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.imagefoundry.testing.FakeHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxTest {

  final Path root = Path.of("/build/b1/root");
  final List<String> args = Sandbox.in(root, "apt-get", "update");
  final FakeHost host = new FakeHost();
  final Sandbox sandbox = new Sandbox(host, host);

  @Test
  void theTreeIsTheRootAndTheCommandComesLast() {
    assertThat(args).startsWith("bwrap", "--bind", "/build/b1/root", "/").endsWith("--", "apt-get", "update");
  }

  @Test
  void itsOwnNamespacesProcAndDevAndNoHostSys() {
    assertThat(String.join(" ", args)).contains("--proc /proc", "--dev /dev", "--tmpfs /sys", "--unshare-pid",
        "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--ro-bind /proc/sys /proc/sys",
        "--ro-bind-try /proc/sysrq-trigger /proc/sysrq-trigger", "--ro-bind-try /proc/irq /proc/irq",
        "--ro-bind-try /proc/bus /proc/bus");
  }

  @Test
  void onlyTheCapabilitiesDpkgNeeds() {
    assertThat(String.join(" ", args)).contains("--cap-drop ALL").doesNotContain("CAP_SYS_ADMIN", "CAP_MKNOD",
        "CAP_SYS_PTRACE", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_NET_ADMIN");
    assertThat(args.stream().filter("--cap-add"::equals).count()).isEqualTo(Sandbox.CAPABILITIES.size());
  }

  @Test
  void eachCommandRunsInAUserNamespaceOfItsOwnWithItsEnvironmentAndTimeLimit() {
    Command update = Command.of(Duration.ofMinutes(7), "apt-get", "update").withEnv(Map.of("LC_ALL", "C"));

    sandbox.run(root, update);
    sandbox.run(root, Command.of(Duration.ofMinutes(7), "apt-get", "clean"));

    assertThat(host.started()).containsExactly(UserNamespace.HOLDER, UserNamespace.HOLDER);
    assertThat(host.commands()).containsExactly(
        new UserNamespaceEntry(40_000).enter(args),
        new UserNamespaceEntry(40_001).enter(Sandbox.in(root, "apt-get", "clean")));
    assertThat(host.idMaps()).containsOnlyKeys(40_000L, 40_001L);
    assertThat(host.running()).isEmpty();
  }

  @Test
  void aPipedCommandRunsInAUserNamespaceToo() {
    var out = new ByteArrayOutputStream();

    sandbox.pipe(root, Command.of(Duration.ofMinutes(1), "dpkg-query", "--show"),
        new ByteArrayInputStream("x".getBytes()), out);

    assertThat(host.commands()).containsExactly(new UserNamespaceEntry(40_000).enter(Sandbox.in(root, "dpkg-query", "--show")));
    assertThat(out.toString()).isEqualTo("x");
    assertThat(host.running()).isEmpty();
  }

  @Test
  void aFailedCommandLeavesNoHolderBehind() {
    host.failOn(List.of("bwrap"), 100, 1, "E: something");

    assertThatThrownBy(() -> sandbox.run(root, Command.of(Duration.ofMinutes(1), "apt-get", "update")))
        .isInstanceOf(CommandFailedException.class);

    assertThat(host.started()).hasSize(1);
    assertThat(host.running()).isEmpty();
  }

  @Test
  void withoutAUserNamespaceNothingRuns() {
    host.failOn(UserNamespace.HOLDER, 1, 1, "unshare: unshare failed: Operation not permitted");

    assertThatThrownBy(() -> sandbox.run(root, Command.of(Duration.ofMinutes(1), "apt-get", "update")))
        .hasMessageContaining("could not make a user namespace");

    assertThat(host.commands()).isEmpty();
    assertThat(host.running()).isEmpty();
  }

  @Test
  void aHostToolBesideTheTreeSeesTheHostsProgramsReadOnlyAndTheTreeAtItsOwnPath() {
    List<String> beside = Sandbox.beside(root, List.of(Path.of("/usr/share/keyrings/k.gpg")), List.of("mmdebstrap", "x"));

    String joined = String.join(" ", beside);
    assertThat(beside).startsWith("bwrap").endsWith("--", "mmdebstrap", "x");
    assertThat(joined).contains("--ro-bind-try /usr /usr", "--ro-bind-try /etc/ssl/certs /etc/ssl/certs",
        "--ro-bind /usr/share/keyrings/k.gpg /usr/share/keyrings/k.gpg", "--tmpfs /tmp",
        "--bind /build/b1/root /build/b1/root", "--proc /build/b1/root/proc",
        "--dev-bind /dev/null /build/b1/root/dev/null", "--unshare-pid", "--die-with-parent", "--cap-drop ALL")
        .doesNotContain("--bind / ", "/etc/shadow", "/etc/ssl/private", "CAP_SYS_ADMIN", "CAP_MKNOD");
    assertThat(beside.stream().filter("--bind"::equals).count()).as("only the tree is writable").isOne();
    assertThat(beside.stream().filter("--cap-add"::equals).count()).isEqualTo(Sandbox.CAPABILITIES.size());
  }

  @Test
  void aHostToolBesideTheTreeRunsInAUserNamespaceOfItsOwnAndLeavesNoDeviceMountPoint(@TempDir Path tree)
      throws Exception {
    Files.createDirectories(tree.resolve("dev"));
    Files.createFile(tree.resolve("dev/null")); // what bubblewrap leaves as the mount point of /dev/null
    Files.createSymbolicLink(tree.resolve("dev/fd"), Path.of("/proc/self/fd"));

    List<String> bootstrap = List.of("mmdebstrap", "bookworm", tree.toString(), "file:///srv/mirror");
    sandbox.runBeside(tree, List.of(), Command.of(Duration.ofMinutes(7), bootstrap));

    assertThat(host.commands()).containsExactly(
        new UserNamespaceEntry(40_000).enter(Sandbox.beside(tree, List.of(), bootstrap)));
    assertThat(host.idMaps()).containsOnlyKeys(40_000L);
    assertThat(host.running()).isEmpty();
    assertThat(tree.resolve("dev/null")).doesNotExist();
    assertThat(Files.isSymbolicLink(tree.resolve("dev/fd"))).isTrue();
  }

  /** What nsenter gets for the holder with this pid. */
  private record UserNamespaceEntry(long pid) {
    List<String> enter(List<String> command) {
      var all = new java.util.ArrayList<>(List.of("nsenter", "--user=/proc/" + pid + "/ns/user", "--"));
      all.addAll(command);
      return all;
    }
  }
}

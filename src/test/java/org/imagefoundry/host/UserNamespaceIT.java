package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

/** Real user namespaces, as root: the kernel's answers, and the holders' lives. */
class UserNamespaceIT {

  final ProcessCommandRunner runner = new ProcessCommandRunner();
  final ProcUserNamespaceFiles files = new ProcUserNamespaceFiles();
  final String buildId = "userns-it-" + UUID.randomUUID();
  @TempDir Path dir;

  @BeforeEach
  void inABuild() {
    MDC.put(BuildLog.BUILD_ID, buildId);
  }

  @AfterEach
  void noHolderLeft() {
    assertThat(new ChrootProcesses().find(new Workspace(buildId, dir))).isEmpty();
    MDC.clear();
  }

  List<String> run(UserNamespace namespace, String... command) {
    return runner.run(Command.of(Duration.ofSeconds(30), namespace.enter(List.of(command))).okExitCodes(0, 1)).lines();
  }

  @Test
  void idsAreTheHostsButNoCapabilityCountsOnTheHost() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");
    try (UserNamespace namespace = UserNamespace.open(runner, files, Duration.ofSeconds(30))) {
      assertThat(run(namespace, "cat", "/proc/self/uid_map", "/proc/self/gid_map", "/proc/self/setgroups"))
          .map(String::strip).containsExactly("0          0 4294967295", "0          0 4294967295", "allow");
      assertThat(run(namespace, "readlink", "/proc/self/ns/user"))
          .doesNotContain(Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString());

      run(namespace, "chown", "42:42", file.toString());
      assertThat(Files.getAttribute(file, "unix:uid")).isEqualTo(42);
      assertThat(Files.getAttribute(file, "unix:gid")).isEqualTo(42);
      assertThat(run(namespace, "mknod", dir.resolve("sda").toString(), "b", "8", "0"))
          .anyMatch(line -> line.contains("Operation not permitted"));
      assertThat(dir.resolve("sda")).doesNotExist();
      assertThat(run(namespace, "setpriv", "--reuid=42", "--regid=42", "--init-groups", "id"))
          .anyMatch(line -> line.startsWith("uid=42(_apt) gid=42"));
    }
  }

  /** What dpkg, dpkg-statoverride and a postinst's setcap do to a file keeps on the host. */
  @Test
  void setuidBitsAndFileCapabilitiesSetInsideHoldOnTheHost() throws Exception {
    Path program = Files.copy(Path.of("/usr/bin/true"), dir.resolve("program"));
    try (UserNamespace namespace = UserNamespace.open(runner, files, Duration.ofSeconds(30))) {
      run(namespace, "chown", "42:65534", program.toString());
      run(namespace, "chmod", "4750", program.toString());
      assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(program)))
          .isEqualTo("rwxr-x---");
      assertThat(runner.run(Command.of(Duration.ofSeconds(30), "stat", "--format=%A %u %g", program.toString()))
          .lines()).containsExactly("-rwsr-x--- 42 65534");

      org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/setcap")), "setcap (libcap2-bin)");
      run(namespace, "/usr/sbin/setcap", "cap_net_raw+ep", program.toString());
    }
    assertThat(runner.run(Command.of(Duration.ofSeconds(30), "/usr/sbin/getcap", program.toString())).lines())
        .containsExactly(program + " cap_net_raw=ep");
  }

  @Test
  void theHolderCarriesTheBuildsTagAndEndsWhenClosed() {
    List<ProcessHandle> tagged;
    try (UserNamespace namespace = UserNamespace.open(runner, files, Duration.ofSeconds(30))) {
      // the holder may still be on its way from unshare to cat: open() returns once it has unshared, and
      // in its exec the kernel shows an empty environment for it, so a look at that moment finds no tag
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      do {
        tagged = new ChrootProcesses().find(new Workspace(buildId, dir));
      } while (!(tagged.size() == 1 && tagged.get(0).info().command().orElse("").endsWith("/cat"))
          && System.nanoTime() < deadline);
      assertThat(tagged).hasSize(1);
      assertThat(tagged.get(0).info().command()).hasValueSatisfying(command -> assertThat(command).endsWith("/cat"));
    }
    assertThat(tagged.get(0).isAlive()).isFalse();
  }

  @Test
  void stoppingTheBuildsProcessesStopsTheHolderAndNothingEntersItsNamespaceThen() {
    try (UserNamespace namespace = UserNamespace.open(runner, files, Duration.ofSeconds(30))) {
      assertThat(new ChrootProcesses().stop(new Workspace(buildId, dir))).isEqualTo(1);

      assertThatThrownBy(() -> runner.run(Command.of(Duration.ofSeconds(30), namespace.enter(List.of("true")))))
          .isInstanceOf(CommandFailedException.class);
    }
  }

  @Test
  void aHolderEndsAtItsTimeLimit() throws Exception {
    var holder = runner.start(Command.of(Duration.ofMillis(200), UserNamespace.HOLDER));
    ProcessHandle.of(holder.pid()).orElseThrow().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(holder.isAlive()).isFalse();
  }
}

package org.imagefoundry.imagetree;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemIdentityTest {

  @TempDir Path root;

  @Test
  void theImageForgetsTheBuildHostsNameItsHostKeysAndItsMachineId() throws Exception {
    Files.createDirectories(root.resolve("etc/ssh"));
    Files.writeString(root.resolve("etc/hostname"), "build-host-7\n"); // as debootstrap copied it
    Files.writeString(root.resolve("etc/machine-id"), "0123456789abcdef0123456789abcdef\n");
    Files.writeString(root.resolve("etc/ssh/ssh_host_ed25519_key"), "key");
    Files.writeString(root.resolve("etc/ssh/sshd_config"), "PermitRootLogin no\n");

    new SystemIdentity().forget(root);

    assertThat(root.resolve("etc/hostname")).hasContent("localhost");
    assertThat(root.resolve("etc/machine-id")).isEmptyFile();
    assertThat(root.resolve("etc/ssh/ssh_host_ed25519_key")).doesNotExist();
    assertThat(root.resolve("etc/ssh/sshd_config")).exists();
  }

  @Test
  void anImageWithoutAHostnameFileGetsNone() {
    new SystemIdentity().forget(root);

    assertThat(root.resolve("etc/hostname")).doesNotExist();
  }

  @Test
  void theRootPasswordHashReplacesRootsEntryAloneAndAShadowWithoutRootIsAnError() {
    String shadow = "root:*:20000:0:99999:7:::\ndaemon:*:20000:0:99999:7:::\n";

    assertThat(SystemIdentity.withRootPasswordHash(shadow, "$6$salt$hash"))
        .isEqualTo("root:$6$salt$hash:20000:0:99999:7:::\ndaemon:*:20000:0:99999:7:::\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> SystemIdentity.withRootPasswordHash("daemon:*:20000:0:99999:7:::\n", "$6$salt$hash"))
        .hasMessageContaining("no root entry");
  }
}

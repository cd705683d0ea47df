package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The namespace check against a fake /proc whose ns/mnt links look as the kernel's do. */
class MountNamespaceTest {

  @TempDir Path proc;

  void namespace(long pid, String link) throws IOException {
    Path ns = Files.createDirectories(proc.resolve(pid + "/ns"));
    Files.createSymbolicLink(ns.resolve("mnt"), Path.of(link));
  }

  @Test
  void sharedWithPidOneIsNotOwn() throws IOException {
    namespace(1, "mnt:[4026531841]");
    namespace(500, "mnt:[4026531841]");

    var check = new MountNamespace(proc, 500, 400).check();

    assertThat(check.own()).isFalse();
    assertThat(check.detail()).startsWith("shared with PID 1");
  }

  @Test
  void differentFromPidOneIsOwn() throws IOException {
    namespace(1, "mnt:[4026531841]");
    namespace(500, "mnt:[4026532176]");

    assertThat(new MountNamespace(proc, 500, 400).check().own()).isTrue();
  }

  @Test
  void withPidOneUnreadableTheProcessThatStartedTheServiceIsTheReference() throws IOException {
    namespace(400, "mnt:[4026531832]");
    namespace(500, "mnt:[4026532176]");
    namespace(600, "mnt:[4026531832]");

    assertThat(new MountNamespace(proc, 500, 400).check().own()).isTrue();
    var shared = new MountNamespace(proc, 600, 400).check();
    assertThat(shared.own()).isFalse();
    assertThat(shared.detail()).contains("shared with the process that started the service (pid 400");
  }

  @Test
  void aServiceThatIsPidOneIsAContainersInitWithTheContainersNamespace() throws IOException {
    namespace(1, "mnt:[4026532300]");

    assertThat(new MountNamespace(proc, 1, 0).check().own()).isTrue();
  }

  @Test
  void nothingReadableIsNotOwn() {
    assertThat(new MountNamespace(proc, 500, 400).check().own()).isFalse();
  }

  @Test
  void theCheckIsMadeOnceAtStartSoTheStarterEndingLaterChangesNothing() throws IOException {
    namespace(400, "mnt:[4026531832]");
    namespace(500, "mnt:[4026532176]");
    var namespace = new MountNamespace(proc, 500, 400);

    Files.delete(proc.resolve("400/ns/mnt"));

    assertThat(namespace.check().own()).isTrue();
  }

  @Test
  void theRealProcessCanReadItsOwnNamespace() {
    assertThat(new MountNamespace().check().detail()).contains("mnt:[");
  }
}

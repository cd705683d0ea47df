package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.imagefoundry.testing.FakeHost;
import org.junit.jupiter.api.Test;

class UserNamespaceTest {

  final FakeHost host = new FakeHost();

  @Test
  void aHolderIsStartedAndItsIdsAreMappedOneToOneOverTheWholeRange() {
    try (UserNamespace namespace = UserNamespace.open(host, host, Duration.ofMinutes(5))) {
      assertThat(host.started()).containsExactly(List.of("unshare", "--user", "--", "cat"));
      assertThat(host.idMaps()).containsExactly(
          java.util.Map.entry(40_000L, List.of("0 0 4294967295", "0 0 4294967295")));
      assertThat(host.running()).containsExactly(40_000L);
      assertThat(namespace.enter(List.of("bwrap", "--", "true")))
          .containsExactly("nsenter", "--user=/proc/40000/ns/user", "--", "bwrap", "--", "true");
    }
    assertThat(host.running()).isEmpty();
  }

  @Test
  void aHolderThatEndsAtOnceIsAFailureNamingIt() {
    host.failOn(UserNamespace.HOLDER, 1, 1);

    assertThatThrownBy(() -> UserNamespace.open(host, host, Duration.ofMinutes(5)))
        .hasMessageContaining("could not make a user namespace: unshare --user -- cat ended at once");
    assertThat(host.idMaps()).isEmpty();
  }

  @Test
  void whenItsIdsCannotBeMappedTheHolderIsKilled() {
    UserNamespaceFiles unwritable = new UserNamespaceFiles() {
      @Override
      public boolean inAnotherUserNamespace(long pid) {
        return true;
      }

      @Override
      public void writeIdMaps(long pid, String uidMap, String gidMap) {
        throw new java.io.UncheckedIOException(new java.io.IOException("Operation not permitted"));
      }

      @Override
      public String userNamespace(long pid) {
        return host.userNamespace(pid);
      }
    };

    assertThatThrownBy(() -> UserNamespace.open(host, unwritable, Duration.ofMinutes(5)))
        .hasMessageContaining("Operation not permitted");
    assertThat(host.started()).hasSize(1);
    assertThat(host.running()).isEmpty();
  }
}

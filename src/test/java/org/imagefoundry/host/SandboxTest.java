package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SandboxTest {

  final List<String> args = Sandbox.in(Path.of("/build/b1/root"), "apt-get", "update");

  @Test
  void theTreeIsTheRootAndTheCommandComesLast() {
    assertThat(args).startsWith("bwrap", "--bind", "/build/b1/root", "/").endsWith("--", "apt-get", "update");
  }

  @Test
  void itsOwnNamespacesProcAndDevAndNoHostSys() {
    assertThat(String.join(" ", args)).contains("--proc /proc", "--dev /dev", "--tmpfs /sys", "--unshare-pid",
        "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--ro-bind /proc/sys /proc/sys");
  }

  @Test
  void onlyTheCapabilitiesDpkgNeeds() {
    assertThat(String.join(" ", args)).contains("--cap-drop ALL").doesNotContain("CAP_SYS_ADMIN", "CAP_MKNOD",
        "CAP_SYS_PTRACE", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_NET_ADMIN");
    assertThat(args.stream().filter("--cap-add"::equals).count()).isEqualTo(Sandbox.CAPABILITIES.size());
  }
}

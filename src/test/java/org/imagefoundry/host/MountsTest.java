package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;

class MountsTest {

  final FakeHost host = new FakeHost();
  final Mounts mounts = new Mounts(host, host, Settings.defaults());

  @Test
  void mountsShallowestFirstAsFuelAgentDid() {
    assertThat(Mounts.shallowestFirst(List.of("/var/lib", "/", "/boot", "swap", "/var")))
        .containsExactly("/", "/boot", "/var", "/var/lib");
  }

  @Test
  void unmountsDeepestFirstAsFuelAgentsTestExpects() {
    // fuel-agent sorted by depth with reverse=True, which keeps equal depths in their given order
    assertThat(Mounts.deepestFirst(List.of("/var/lib", "/", "/boot", "swap", "/var")))
        .containsExactly("/var/lib", "/boot", "/var", "/");
  }

  @Test
  void mountRunsMountWithTypeDeviceAndTarget() {
    mounts.mount("/dev/loop3", "ext4", Path.of("/tmp/mounts-test/root"));

    assertThat(host.commands()).containsExactly(List.of("mount", "-t", "ext4", "/dev/loop3", "/tmp/mounts-test/root"));
  }

  @Test
  void optionsGoToMountAsOneCommaSeparatedList() {
    mounts.mount("/dev/loop3", "ext4", Path.of("/tmp/mounts-test/root"), List.of("nobarrier", "noatime"));

    assertThat(host.commands()).containsExactly(
        List.of("mount", "-t", "ext4", "-o", "nobarrier,noatime", "/dev/loop3", "/tmp/mounts-test/root"));
  }

  @Test
  void aFilesystemAlreadyMountedIsNotMountedAgain() {
    mounts.mount("/dev/loop3", "ext4", Path.of("/tmp/mounts-test/root"));
    mounts.mount("/dev/loop3", "ext4", Path.of("/tmp/mounts-test/root"));

    assertThat(host.commands("mount")).hasSize(1);
  }

  @Test
  void aTmpfsIsMountedOnceWithItsSizeAsItsBound() {
    mounts.mountMemory(Path.of("/tmp/mounts-test/bootstrap"), 1L << 30);
    mounts.mountMemory(Path.of("/tmp/mounts-test/bootstrap"), 1L << 30);

    assertThat(host.commands()).containsExactly(
        List.of("mount", "-t", "tmpfs", "-o", "size=1073741824,mode=0755", "tmpfs", "/tmp/mounts-test/bootstrap"));
  }

  @Test
  void bindMountsAreMadePrivateSoNothingPropagatesToTheHost() {
    mounts.bind(Path.of("/dev"), Path.of("/tmp/mounts-test/root/dev"));

    assertThat(host.commands()).containsExactly(
        List.of("mount", "--bind", "/dev", "/tmp/mounts-test/root/dev"),
        List.of("mount", "--make-private", "/tmp/mounts-test/root/dev"));
  }

  @Test
  void unmountAllFindsMountsInTheTableAndUnmountsDeepestFirstNeverLazily() {
    mounts.mount("/dev/loop0", "ext4", Path.of("/tmp/mounts-test/root"));
    mounts.mount("/dev/loop1", "ext4", Path.of("/tmp/mounts-test/root/var"));
    mounts.mount("proc", "proc", Path.of("/tmp/mounts-test/root/proc"));
    mounts.mount("/dev/loop2", "ext4", Path.of("/tmp/mounts-test/root/var/lib"));
    mounts.mount("/dev/loop9", "ext4", Path.of("/tmp/mounts-test/other"));

    mounts.unmountAll(Path.of("/tmp/mounts-test/root"));

    assertThat(host.commands("umount")).containsExactly(
        List.of("umount", "/tmp/mounts-test/root/var/lib"),
        List.of("umount", "/tmp/mounts-test/root/proc"),
        List.of("umount", "/tmp/mounts-test/root/var"),
        List.of("umount", "/tmp/mounts-test/root"));
    assertThat(host.mountPoints()).containsExactly(Path.of("/tmp/mounts-test/other"));
  }

  @Test
  void mountInfoEscapesAreDecoded() {
    var lines = List.of("36 35 98:0 / /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw,errors=continue");
    assertThat(ProcMountTable.parse(lines)).containsExactly(Path.of("/mnt/with space"));
  }
}

package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;

class LoopDevicesTest {

  final FakeHost host = new FakeHost();
  final LoopDevices loops = new LoopDevices(host, Settings.defaults());
  final Path file = Path.of("/build/b1/images/0.img");

  @Test
  void attachesAtomicallyWithFindAndShow() {
    String device = loops.attach(file);

    assertThat(device).isEqualTo("/dev/loop0");
    assertThat(host.commands()).containsExactly(
        List.of("losetup", "--list", "--noheadings", "--output", "NAME", "--associated", "/build/b1/images/0.img"),
        List.of("losetup", "--find", "--show", "/build/b1/images/0.img"));
  }

  @Test
  void reusesTheDeviceAlreadyAttachedToTheFile() {
    String first = loops.attach(file);
    String second = loops.attach(file);

    assertThat(second).isEqualTo(first);
    assertThat(host.commands().stream().filter(c -> c.contains("--find"))).hasSize(1);
  }

  @Test
  void detachesEveryDeviceOfTheFileFoundByName() {
    loops.attach(file);

    loops.detach(file);
    loops.detach(file);

    assertThat(host.commands().stream().filter(c -> c.contains("--detach")).toList())
        .containsExactly(List.of("losetup", "--detach", "/dev/loop0"));
    assertThat(host.loopDevices()).isEmpty();
  }
}

package org.imagefoundry.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.nio.file.Files;
import org.imagefoundry.host.Binfmt;
import org.imagefoundry.host.FreeSpace;
import org.imagefoundry.spec.Architecture;
import org.junit.jupiter.api.io.TempDir;
import org.imagefoundry.host.MountNamespace;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Status;
import org.springframework.util.unit.DataSize;

class BuildHostHealthTest {

  static FoundrySettings with(List<String> tools, DataSize minFree) {
    FoundrySettings d = Settings.defaults();
    return new FoundrySettings(Path.of("/var/tmp"), d.dataDir(), d.allowedOutputRoots(), null, "n", d.retryCycle(),
        d.incidentTimeout(), List.of(), d.timeouts(), d.limits(), d.cache(), null, true,
        new FoundrySettings.Health(tools, minFree), d.admin(), List.of());
  }

  static BuildHostHealth health(FoundrySettings settings) {
    return health(settings, new Binfmt(Path.of("/nonexistent")));
  }

  static BuildHostHealth health(FoundrySettings settings, Binfmt binfmt) {
    return new BuildHostHealth(settings, new FreeSpace(settings), new MountNamespace(), binfmt);
  }

  @Test
  void listsTheArchitecturesItBuildsForItsOwnAndThoseWithAHandlerWithTheFFlag(@TempDir Path binfmt) throws Exception {
    Files.writeString(binfmt.resolve("qemu-aarch64"), "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: POF\n");
    Files.writeString(binfmt.resolve("qemu-arm"), "enabled\ninterpreter /usr/bin/qemu-arm-static\nflags: OC\n");
    Files.writeString(binfmt.resolve("qemu-riscv64"), "disabled\ninterpreter /usr/bin/qemu-riscv64\nflags: F\n");
    String own = Architecture.host().orElseThrow().name();

    var health = health(with(List.of("tar"), DataSize.ofMegabytes(1)), new Binfmt(binfmt)).health();

    assertThat((List<?>) health.getDetails().get("architectures")).first().isEqualTo(own + " (native)");
    if (own.equals("amd64")) {
      assertThat(health.getDetails().get("architectures")).isEqualTo(List.of("amd64 (native)", "arm64 (qemu-user)"));
    }
    assertThat(health(with(List.of("tar"), DataSize.ofMegabytes(1))).health().getDetails().get("architectures"))
        .isEqualTo(List.of(own + " (native)"));
  }

  @Test
  void upWhenTheToolsAreThereAndSpaceSuffices() {
    var health = health(with(List.of("tar", "mount", "losetup"), DataSize.ofMegabytes(1))).health();

    assertThat(health.getStatus()).isEqualTo(Status.UP);
    assertThat(health.getDetails()).containsKeys("freeBytes", "mountNamespace").doesNotContainKey("missingTools");
  }

  @Test
  void downNamingTheToolThatIsMissing() {
    var health = health(with(List.of("tar", "no-such-tool-xyz"), DataSize.ofMegabytes(1))).health();

    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails().get("missingTools")).isEqualTo(List.of("no-such-tool-xyz"));
  }

  @Test
  void downSayingHowLittleSpaceIsLeft() {
    var health = health(with(List.of("tar"), DataSize.ofTerabytes(1000))).health();

    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails().get("freeSpace").toString()).contains("MB free in /var/tmp")
        .contains("image-foundry.health.min-free-space");
  }

  @Test
  void byDefaultTheDiskToolsAreRequiredToo() {
    FoundrySettings defaults = new org.springframework.boot.context.properties.bind.Binder(
        new org.springframework.boot.context.properties.source.MapConfigurationPropertySource(
            java.util.Map.of("image-foundry.node-name", "n"))).bindOrCreate("image-foundry", FoundrySettings.class);

    assertThat(defaults.health().requiredTools()).contains("mmdebstrap", "losetup", "debugfs", "sfdisk", "partx", "mkswap",
        "mkfs.vfat", "grub-install", "grub-mkimage", "mcopy", "qemu-img");
  }
}

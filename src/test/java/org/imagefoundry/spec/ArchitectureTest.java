package org.imagefoundry.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ArchitectureTest {

  @Test
  void eachRowIsNamedByItsKeyAndEveryDiskRowSaysWhereGrubAndTheLoaderAre() {
    assertThat(Architecture.ALL.keySet()).containsExactly("amd64", "arm64", "armhf", "riscv64", "ppc64el", "s390x");
    Architecture.ALL.forEach((name, arch) -> {
      assertThat(arch.name()).isEqualTo(name);
      assertThat(arch.qemu()).matches("[a-z0-9_]+");
      assertThat(arch.kernelPackage()).startsWith("linux-image-");
      if (arch.makesDisks()) {
        assertThat(arch.grubEfiPackage()).startsWith("grub-efi-");
        assertThat(arch.efiLoader()).matches("EFI/BOOT/BOOT[A-Z0-9]+\\.EFI");
      } else {
        assertThat(arch.bios()).isFalse();
      }
    });
  }

  @Test
  void noArchitectureMeansAmd64AndTheHostIsOneOfTheRows() {
    assertThat(Architecture.named(null)).contains(Architecture.AMD64);
    assertThat(Architecture.named("arm64")).contains(Architecture.ARM64);
    assertThat(Architecture.named("vax")).isEmpty();
    // the build host of this suite: amd64 (or arm64) is native, and then the other is not
    Architecture host = Architecture.host().orElseThrow();
    assertThat(host.isNative()).isTrue();
    assertThat(Architecture.ALL.values().stream().filter(Architecture::isNative)).containsExactly(host);
  }

  @Test
  void onlyAPcBootsWithBiosAndArm64WritesToThePl011() {
    assertThat(Architecture.ALL.values().stream().filter(Architecture::bios)).containsExactly(Architecture.AMD64);
    assertThat(Architecture.ARM64.console()).isEqualTo("ttyAMA0");
    assertThat(Architecture.ARM64.efiLoader()).isEqualTo("EFI/BOOT/BOOTAA64.EFI");
    assertThat(Architecture.ARM64.elfMachine()).isEqualTo(183);
  }
}

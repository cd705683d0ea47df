package org.imagefoundry.imagetree;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.spec.Architecture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootEntriesTest {

  @TempDir Path boot;

  @Test
  void theKernelWithAnInitramfsIsTheOneBooted() throws Exception {
    Files.writeString(boot.resolve("vmlinuz-6.1.0-9-amd64"), "");
    Files.writeString(boot.resolve("initrd.img-6.1.0-9-amd64"), "");
    Files.writeString(boot.resolve("vmlinuz-6.1.0-10-amd64"), ""); // no initramfs: not bootable

    assertThat(new BootEntries().kernel(boot)).contains(new BootEntries.Kernel("6.1.0-9-amd64"));
    assertThat(new BootEntries().kernel(boot.resolve("none"))).isEmpty();
  }

  @Test
  void grubFindsBootByUuidAndBootsTheRootByUuidOnTheSerialConsole() {
    String config = BootEntries.grubConfig(new BootEntries.Kernel("6.1.0-9-amd64"), "b-uuid", "r-uuid", "/boot",
        Architecture.AMD64);

    assertThat(config).contains("search --no-floppy --fs-uuid --set=root b-uuid")
        .contains("serial --unit=0 --speed=115200\nterminal_input console serial\nterminal_output console serial\n")
        .contains("linux /boot/vmlinuz-6.1.0-9-amd64 root=UUID=r-uuid ro console=tty0 console=ttyS0,115200n8")
        .contains("initrd /boot/initrd.img-6.1.0-9-amd64");
  }

  @Test
  void anArm64KernelWritesToThePl011AndGrubToUefisConsole() {
    String config = BootEntries.grubConfig(new BootEntries.Kernel("6.1.0-9-arm64"), "b", "r", "/boot",
        Architecture.ARM64);

    assertThat(config).contains("linux /boot/vmlinuz-6.1.0-9-arm64 root=UUID=r ro console=tty0 console=ttyAMA0\n")
        .doesNotContain("serial");
  }

  @Test
  void fstabMountsEveryFilesystemAndTheSwapByUuid() {
    assertThat(Fstab.render(List.of(new Fstab.Entry("r", "/", "ext4"), new Fstab.Entry("v", "/var", "ext4"),
        new Fstab.Entry("s", null, "swap")))).endsWith("""
        UUID=r / ext4 errors=remount-ro 0 1
        UUID=v /var ext4 defaults 0 2
        UUID=s none swap sw 0 0
        """);
  }
}

package org.imagefoundry.imagetree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FstabTest {

  @Test
  void everyFilesystemTheEfiSystemPartitionAndTheSwapByUuidRootCheckedFirst() {
    String fstab = Fstab.render(List.of(new Fstab.Entry("r-1", "/", "ext4"), new Fstab.Entry("v-2", "/var", "ext4"),
        new Fstab.Entry("s-3", null, "swap"), new Fstab.Entry("ABCD-1234", "/boot/efi", "vfat")));

    assertThat(fstab.lines().skip(1)).containsExactly(
        "UUID=r-1 / ext4 errors=remount-ro 0 1",
        "UUID=v-2 /var ext4 defaults 0 2",
        "UUID=s-3 none swap sw 0 0",
        "UUID=ABCD-1234 /boot/efi vfat umask=0077 0 2");
  }

  @Test
  void writingMakesTheMountPointsThatAreMissing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root)
      throws Exception {
    new Fstab().write(root, List.of(new Fstab.Entry("r-1", "/", "ext4"), new Fstab.Entry("s-3", null, "swap"),
        new Fstab.Entry("ABCD-1234", "/boot/efi", "vfat")));

    assertThat(root.resolve("boot/efi")).isEmptyDirectory();
    assertThat(java.nio.file.Files.readString(root.resolve("etc/fstab"))).contains("UUID=ABCD-1234 /boot/efi vfat");
  }
}

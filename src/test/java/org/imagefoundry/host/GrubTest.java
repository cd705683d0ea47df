package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;

class GrubTest {

  final FakeHost host = new FakeHost();
  final Grub grub = new Grub(host, Settings.defaults());

  @Test
  void biosGoesOntoTheDiskWithItsModulesUnderTheBootDirectory() {
    grub.installBios("/dev/loop3", Path.of("/w/disk/boot"));

    assertThat(host.commands()).containsExactly(List.of("grub-install", "--target=i386-pc", "--no-floppy",
        "--boot-directory=/w/disk/boot", "--modules=part_gpt part_msdos ext2", "/dev/loop3"));
  }

  @Test
  void uefiGoesToTheRemovablePathOfTheEfiSystemPartitionWritingNoNvram() {
    grub.installUefi(Path.of("/w/disk/boot/efi"), Path.of("/w/disk/boot"));

    assertThat(host.commands()).containsExactly(List.of("grub-install", "--target=x86_64-efi",
        "--efi-directory=/w/disk/boot/efi", "--boot-directory=/w/disk/boot", "--removable", "--no-nvram",
        "--no-uefi-secure-boot", "--modules=part_gpt part_msdos ext2"));
  }
}

package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrubTest {

  static final Grub.UefiPlatform X86_64 = Grub.UefiPlatform.ofHost("x86_64-efi", "EFI/BOOT/BOOTX64.EFI");

  final FakeHost host = new FakeHost();
  final Grub grub = new Grub(host, Settings.defaults());

  @Test
  void biosGoesOntoTheDiskWithItsModulesUnderTheBootDirectory() {
    grub.installBios("/dev/loop3", Path.of("/w/disk/boot"));

    assertThat(host.commands()).containsExactly(List.of("grub-install", "--target=i386-pc", "--no-floppy",
        "--boot-directory=/w/disk/boot", "--modules=part_gpt part_msdos ext2", "/dev/loop3"));
  }

  @Test
  void uefiIsAnImageAtTheRemovablePathThatFindsTheGrubDirectoryByUuid(@TempDir Path workspace) throws Exception {
    Path files = workspace.resolve("efi-system");

    Path image = grub.makeUefiImage(files, "0f6c-uuid", "/boot/grub", X86_64);

    assertThat(image).isEqualTo(files.resolve("EFI/BOOT/BOOTX64.EFI"));
    assertThat(image.getParent()).isDirectory();
    Path config = workspace.resolve("efi-system-grub.cfg");
    assertThat(Files.readString(config))
        .isEqualTo("search --no-floppy --fs-uuid --set=root 0f6c-uuid\nset prefix=($root)/boot/grub\n");
    assertThat(host.commands()).singleElement().satisfies(command -> {
      assertThat(command.subList(0, 6)).containsExactly("grub-mkimage", "--format=x86_64-efi",
          "--directory=/usr/lib/grub/x86_64-efi", "--output=" + image, "--config=" + config, "--prefix=/boot/grub");
      // everything grub.cfg uses is in the image: the disk has no x86_64-efi module directory
      assertThat(command.subList(6, command.size())).contains("part_gpt", "part_msdos", "ext2", "search_fs_uuid",
          "normal", "linux", "serial", "terminal");
    });
  }

  @Test
  void aSeparateBootFilesystemHasTheGrubDirectoryAtItsTop(@TempDir Path workspace) throws Exception {
    grub.makeUefiImage(workspace.resolve("efi-system"), "b007-uuid", "/grub", X86_64);

    assertThat(Files.readString(workspace.resolve("efi-system-grub.cfg"))).endsWith("set prefix=($root)/grub\n");
    assertThat(host.commands().get(0)).contains("--prefix=/grub");
  }

  @Test
  void anotherArchitecturesImageIsBuiltFromTheModulesGivenAtItsRemovablePath(@TempDir Path workspace) throws Exception {
    Path modules = workspace.resolve("grub-modules");
    var arm64 = new Grub.UefiPlatform("arm64-efi", modules, "EFI/BOOT/BOOTAA64.EFI");

    Path image = grub.makeUefiImage(workspace.resolve("efi-system"), "a64-uuid", "/boot/grub", arm64);

    assertThat(image).isEqualTo(workspace.resolve("efi-system/EFI/BOOT/BOOTAA64.EFI"));
    assertThat(host.commands().get(0).subList(0, 3)).containsExactly("grub-mkimage", "--format=arm64-efi",
        "--directory=" + modules);
  }
}

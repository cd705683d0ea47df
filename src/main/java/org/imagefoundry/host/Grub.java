package org.imagefoundry.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/**
 * grub-install and grub-mkimage from the build host's GRUB (grub-pc-bin, grub-efi-amd64-bin): the image
 * itself needs no bootloader package.
 */
@Component
public class Grub {

  private final CommandRunner runner;
  private final FoundrySettings settings;

  public Grub(CommandRunner runner, FoundrySettings settings) {
    this.runner = runner;
    this.settings = settings;
  }

  /**
   * GRUB for BIOS: boot.img in the disk's first sector, core.img in the BIOS boot partition (GPT) or the
   * gap before the first partition (msdos), modules under {@code bootDirectory}/grub.
   */
  public void installBios(String disk, Path bootDirectory) {
    runner.run(Command.of(settings.timeouts().command(), "grub-install", "--target=i386-pc", "--no-floppy",
        "--boot-directory=" + bootDirectory, "--modules=part_gpt part_msdos ext2", disk));
  }

  /** What GRUB's EFI image holds: every module grub.cfg uses, so the disk needs no x86_64-efi module directory. */
  static final List<String> UEFI_MODULES = List.of("part_gpt", "part_msdos", "ext2", "search", "search_fs_uuid",
      "normal", "configfile", "linux", "serial", "terminal", "echo", "test", "all_video", "gzio");
  /** The removable media path: UEFI firmware boots it without an NVRAM entry. */
  public static final String UEFI_IMAGE = "EFI/BOOT/BOOTX64.EFI";

  /**
   * GRUB for UEFI: grub-mkimage builds its image from the host's x86_64-efi modules (grub-efi-amd64-bin)
   * as {@code files}/EFI/BOOT/BOOTX64.EFI, for the EFI system partition. Its embedded config finds
   * {@code grubDirectory} ("/boot/grub", or "/grub" on a /boot of its own) on the filesystem of UUID
   * {@code bootUuid}, whose grub.cfg it then reads, the one GRUB for BIOS reads. Not grub-install: that one
   * wants the EFI system partition mounted, and the build host's kernel may have no vfat. Not Debian's
   * signed image either (it reads its grub.cfg from the EFI system partition): boot with Secure Boot off.
   */
  public Path makeUefiImage(Path files, String bootUuid, String grubDirectory) {
    Path image = files.resolve(UEFI_IMAGE);
    Path config = files.resolveSibling(files.getFileName() + "-grub.cfg");
    try {
      Files.createDirectories(image.getParent());
      Files.writeString(config, uefiConfig(bootUuid, grubDirectory));
    } catch (IOException e) {
      throw new UncheckedIOException("could not write GRUB's embedded config", e);
    }
    List<String> args = new ArrayList<>(List.of("grub-mkimage", "--format=x86_64-efi", "--output=" + image,
        "--config=" + config, "--prefix=" + grubDirectory));
    args.addAll(UEFI_MODULES);
    runner.run(Command.of(settings.timeouts().command(), args));
    return image;
  }

  static String uefiConfig(String bootUuid, String grubDirectory) {
    return "search --no-floppy --fs-uuid --set=root " + bootUuid + "\nset prefix=($root)" + grubDirectory + "\n";
  }
}

package org.imagefoundry.host;

import java.nio.file.Path;
import org.imagefoundry.FoundrySettings;
import org.springframework.stereotype.Component;

/** grub-install from the build host's GRUB (grub-pc-bin, grub-efi-amd64-bin): the image itself needs no bootloader package. */
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

  /**
   * GRUB for UEFI: its image, built from the host's x86_64-efi modules (grub-efi-amd64-bin), at the
   * removable media path EFI/BOOT/BOOTX64.EFI of the EFI system partition mounted at {@code efiDirectory},
   * which firmware boots without an NVRAM entry (none is written: it would be the build host's); modules
   * under {@code bootDirectory}/grub, beside the BIOS ones. Not Debian's signed image (that one reads its
   * grub.cfg from the EFI system partition), so the disk boots with Secure Boot off.
   */
  public void installUefi(Path efiDirectory, Path bootDirectory) {
    runner.run(Command.of(settings.timeouts().command(), "grub-install", "--target=x86_64-efi",
        "--efi-directory=" + efiDirectory, "--boot-directory=" + bootDirectory, "--removable", "--no-nvram",
        "--no-uefi-secure-boot", "--modules=part_gpt part_msdos ext2"));
  }
}

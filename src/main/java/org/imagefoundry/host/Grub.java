package org.imagefoundry.host;

import java.nio.file.Path;
import org.imagefoundry.FoundrySettings;
import org.springframework.stereotype.Component;

/** grub-install from the build host's GRUB (grub-pc-bin): the image itself needs no bootloader package. */
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
}

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
 * grub-install and grub-mkimage from the build host's GRUB (grub-pc-bin, grub-efi-amd64-bin): an image of
 * the host's architecture needs no bootloader package. For another architecture grub-mkimage builds from
 * the modules of the image's own GRUB package (grub-efi-arm64-bin), copied out of it.
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

  /**
   * GRUB's EFI platform ({@code x86_64-efi}, {@code arm64-efi}), where its modules are, and where the
   * firmware looks for its image ({@code EFI/BOOT/BOOTX64.EFI}).
   */
  public record UefiPlatform(String name, Path modules, String loader) {

    /** The host's own modules of the platform, from its grub-efi-*-bin package. */
    public static UefiPlatform ofHost(String name, String loader) {
      return new UefiPlatform(name, Path.of("/usr/lib/grub", name), loader);
    }
  }

  /** What GRUB's EFI image holds: every module grub.cfg uses, so the disk needs no module directory. */
  static final List<String> UEFI_MODULES = List.of("part_gpt", "part_msdos", "ext2", "search", "search_fs_uuid",
      "normal", "configfile", "linux", "serial", "terminal", "echo", "test", "all_video", "gzio");
  /**
   * GRUB for UEFI: grub-mkimage builds its image from the platform's modules as {@code files}/ its loader
   * path (the removable media path, which firmware boots without an NVRAM entry: EFI/BOOT/BOOTX64.EFI,
   * EFI/BOOT/BOOTAA64.EFI), for the EFI system partition. Its embedded config finds
   * {@code grubDirectory} ("/boot/grub", or "/grub" on a /boot of its own) on the filesystem of UUID
   * {@code bootUuid}, whose grub.cfg it then reads, the one GRUB for BIOS reads. Not grub-install: that one
   * wants the EFI system partition mounted, and the build host's kernel may have no vfat. Not Debian's
   * signed image either (it reads its grub.cfg from the EFI system partition): boot with Secure Boot off.
   */
  public Path makeUefiImage(Path files, String bootUuid, String grubDirectory, UefiPlatform platform) {
    Path image = files.resolve(platform.loader());
    Path config = files.resolveSibling(files.getFileName() + "-grub.cfg");
    try {
      Files.createDirectories(image.getParent());
      Files.writeString(config, uefiConfig(bootUuid, grubDirectory));
    } catch (IOException e) {
      throw new UncheckedIOException("could not write GRUB's embedded config", e);
    }
    List<String> args = new ArrayList<>(List.of("grub-mkimage", "--format=" + platform.name(),
        "--directory=" + platform.modules(), "--output=" + image, "--config=" + config, "--prefix=" + grubDirectory));
    args.addAll(UEFI_MODULES);
    runner.run(Command.of(settings.timeouts().command(), args));
    return image;
  }

  static String uefiConfig(String bootUuid, String grubDirectory) {
    return "search --no-floppy --fs-uuid --set=root " + bootUuid + "\nset prefix=($root)" + grubDirectory + "\n";
  }
}

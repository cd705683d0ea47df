package org.imagefoundry.imagetree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.imagefoundry.spec.Architecture;
import org.springframework.stereotype.Component;

/** The kernel and initramfs the packages put in {@code /boot}, and GRUB's menu entry that boots them. */
@Component
public class BootEntries {

  /** A kernel version with both {@code vmlinuz-<version>} and {@code initrd.img-<version>} in /boot. */
  public record Kernel(String version) {}

  /** The kernel that has an initramfs, the last by name when there are several (a fresh image has one). */
  public Optional<Kernel> kernel(Path bootDirectory) {
    if (!Files.isDirectory(bootDirectory)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(bootDirectory)) {
      return files.map(f -> f.getFileName().toString()).filter(name -> name.startsWith("vmlinuz-"))
          .map(name -> name.substring("vmlinuz-".length()))
          .filter(version -> Files.isRegularFile(bootDirectory.resolve("initrd.img-" + version)))
          .max(Comparator.naturalOrder()).map(Kernel::new);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * grub.cfg: finds /boot's filesystem by UUID and boots the kernel with the root filesystem by UUID, on
   * the screen and the architecture's serial console ({@code ttyS0,115200n8}, {@code ttyAMA0}), which GRUB
   * drives itself on a PC; elsewhere UEFI's console is the serial one. {@code bootPrefix} is "/boot", or ""
   * when /boot is its own partition.
   */
  public static String grubConfig(Kernel kernel, String bootUuid, String rootUuid, String bootPrefix, Architecture arch) {
    String terminals = arch.grubSerial() ? """
        serial --unit=0 --speed=115200
        terminal_input console serial
        terminal_output console serial
        """ : "";
    return """
        # written by image-foundry
        set default=0
        set timeout=1
        %6$sinsmod part_gpt
        insmod part_msdos
        insmod ext2
        search --no-floppy --fs-uuid --set=root %2$s
        menuentry 'Debian GNU/Linux %1$s' {
          linux %4$s/vmlinuz-%1$s root=UUID=%3$s ro console=tty0 console=%5$s
          initrd %4$s/initrd.img-%1$s
        }
        """.formatted(kernel.version(), bootUuid, rootUuid, bootPrefix, arch.console(), terminals);
  }

  public void writeGrubConfig(Path bootDirectory, String config) {
    try {
      Files.createDirectories(bootDirectory.resolve("grub"));
      Files.writeString(bootDirectory.resolve("grub/grub.cfg"), config);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write grub.cfg", e);
    }
  }
}

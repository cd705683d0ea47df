package org.imagefoundry.host;

import java.nio.file.Path;

/**
 * Where a build keeps what it acquires, all named from its id (DESIGN.md: resources are named, never
 * remembered): {@code <build-root>/<buildId>/root} is the chroot, {@code images/<n>.img} the sparse files.
 */
public record Workspace(String buildId, Path dir) {

  public Path root() {
    return dir.resolve("root");
  }

  /**
   * Where mmdebstrap builds the base system: a tmpfs, whose tree is then copied into the chroot (and
   * stored in the base-tree cache), so dpkg's many small writes never go through the loop filesystem.
   */
  public Path bootstrapScratch() {
    return dir.resolve("bootstrap");
  }

  public Path imagesDir() {
    return dir.resolve("images");
  }

  public Path imageFile(int index) {
    return imagesDir().resolve(index + ".img");
  }

  /** The directory in the chroot where the filesystem for {@code mount} ("/", "/var", ...) is mounted. */
  public Path mountPoint(String mount) {
    return "/".equals(mount) ? root() : root().resolve(mount.substring(1));
  }

  /** The raw disk a request's {@code disk} is assembled in (an image file too, so the sweep detaches it). */
  public Path diskFile() {
    return imagesDir().resolve("disk.img");
  }

  /** The disk converted to its format (qcow2). */
  public Path convertedDisk() {
    return dir.resolve("disk.converted");
  }

  /** The files GRUB puts on the EFI system partition (EFI/BOOT/BOOTX64.EFI), made here, then copied there. */
  public Path efiSystemFiles() {
    return dir.resolve("efi-system");
  }

  /** GRUB's modules for another architecture, copied out of the image for the host's grub-mkimage. */
  public Path grubModules() {
    return dir.resolve("grub-modules");
  }

  /** Where the disk's filesystems are mounted while kernel, fstab and bootloader go in. */
  public Path diskRoot() {
    return dir.resolve("disk");
  }
}

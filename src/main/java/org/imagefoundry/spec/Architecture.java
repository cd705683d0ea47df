package org.imagefoundry.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An architecture images are built for, by Debian's name, with what a build needs to know of it. Another
 * architecture is another row of {@link #ALL}, not another branch in the code.
 *
 * @param name Debian's name ({@code dpkg --print-architecture}), the request's {@code architecture}
 * @param jvmName the JVM's {@code os.arch} on a host of this architecture: which row the host itself is
 * @param qemu qemu-user's name for it, as its binfmt_misc handler is named ({@code qemu-<qemu>})
 * @param elfMachine the ELF header's {@code e_machine} of its programs
 * @param kernelPackage Debian's kernel package for it, named when a disk's packages hold no kernel
 * @param bios whether a disk may boot it with BIOS (GRUB's i386-pc)
 * @param grubEfi GRUB's EFI platform, its module directory's name; null: no bootable disk for it yet
 * @param grubEfiPackage the Debian package that holds GRUB's modules for that platform
 * @param efiLoader where UEFI firmware finds a loader without an NVRAM entry (the removable media path)
 * @param console the serial console the kernel writes to under QEMU, as {@code console=} takes it
 * @param grubSerial whether GRUB itself drives the serial port (BIOS PCs); elsewhere the UEFI console is it
 */
public record Architecture(String name, String jvmName, String qemu, int elfMachine, String kernelPackage,
    boolean bios, String grubEfi, String grubEfiPackage, String efiLoader, String console, boolean grubSerial) {

  public static final Architecture AMD64 = new Architecture("amd64", "amd64", "x86_64", 62, "linux-image-amd64",
      true, "x86_64-efi", "grub-efi-amd64-bin", "EFI/BOOT/BOOTX64.EFI", "ttyS0,115200n8", true);
  public static final Architecture ARM64 = new Architecture("arm64", "aarch64", "aarch64", 183, "linux-image-arm64",
      false, "arm64-efi", "grub-efi-arm64-bin", "EFI/BOOT/BOOTAA64.EFI", "ttyAMA0", false);

  /** Every architecture a request may name, by Debian's name. */
  public static final Map<String, Architecture> ALL = table(
      AMD64,
      ARM64,
      new Architecture("armhf", "arm", "arm", 40, "linux-image-armmp", false, "arm-efi", "grub-efi-arm-bin",
          "EFI/BOOT/BOOTARM.EFI", "ttyAMA0", false),
      new Architecture("riscv64", "riscv64", "riscv64", 243, "linux-image-riscv64", false, "riscv64-efi",
          "grub-efi-riscv64-bin", "EFI/BOOT/BOOTRISCV64.EFI", "ttyS0", false),
      new Architecture("ppc64el", "ppc64le", "ppc64le", 21, "linux-image-powerpc64le", false, null, null, null,
          "hvc0", false),
      new Architecture("s390x", "s390x", "s390x", 22, "linux-image-s390x", false, null, null, null, "ttysclp0",
          false));

  /** A request without {@code architecture} is for amd64, as fuel-agent's always were. */
  public static final String DEFAULT = AMD64.name();

  public static Optional<Architecture> named(String name) {
    return Optional.ofNullable(ALL.get(name == null ? DEFAULT : name));
  }

  /** The row of the host this JVM runs on, if the table has it. */
  public static Optional<Architecture> host() {
    String jvm = System.getProperty("os.arch");
    return ALL.values().stream().filter(a -> a.jvmName().equals(jvm)).findFirst();
  }

  /** Whether the host runs this architecture's programs itself, without emulation. */
  public boolean isNative() {
    return host().map(this::equals).orElse(false);
  }

  /** Whether a bootable disk can be made for it: GRUB has an EFI platform for it. */
  public boolean makesDisks() {
    return grubEfi != null;
  }

  private static Map<String, Architecture> table(Architecture... rows) {
    Map<String, Architecture> all = new LinkedHashMap<>();
    for (Architecture row : rows) {
      all.put(row.name(), row);
    }
    return Collections.unmodifiableMap(all);
  }
}

package org.imagefoundry.spec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where each partition of a requested disk lies: from 1 MiB on, MiB-aligned, a 1 MiB BIOS boot
 * partition first on GPT for BIOS (GRUB's core image lives there), the EFI system partition for UEFI (on
 * msdos too: type ef, which UEFI firmware reads as well), then "/" and the other mount points, shallowest
 * first, each of its image's size, then the swap; GPT's backup header keeps the last MiB.
 */
public record DiskLayout(String table, long size, List<Partition> partitions) {

  public static final long MIB = 1L << 20;
  /** GRUB's i386-pc core image on GPT. */
  public static final String BIOS_BOOT = "bios_boot";
  /** The EFI system partition: FAT, mounted at /boot/efi, GRUB's EFI image at the removable path (EFI/BOOT/BOOTX64.EFI). */
  public static final String EFI_SYSTEM = "efi_system";
  public static final String EFI_MOUNT = "/boot/efi";
  /** GRUB's EFI image takes under 1 MiB; 100 MiB leaves room for other loaders, and is FAT32 (over 65524 clusters). */
  public static final long EFI_SYSTEM_SIZE = 100 * MIB;
  public static final String FILESYSTEM = "filesystem";
  public static final String SWAP = "swap";

  /** One partition: {@code image} is the request's image index for a filesystem, else null. */
  public record Partition(int number, String role, String mount, Integer image, long start, long size) {}

  public static DiskLayout of(BuildSpec spec) {
    BuildSpec.DiskSpec disk = spec.disk();
    List<Partition> partitions = new ArrayList<>();
    long next = MIB;
    if ("gpt".equals(disk.partitionTable()) && disk.bootsBios()) {
      partitions.add(new Partition(1, BIOS_BOOT, null, null, next, MIB));
      next += MIB;
    }
    if (disk.bootsUefi()) {
      partitions.add(new Partition(partitions.size() + 1, EFI_SYSTEM, EFI_MOUNT, null, next, EFI_SYSTEM_SIZE));
      next += EFI_SYSTEM_SIZE;
    }
    List<BuildSpec.Image> images = new ArrayList<>(spec.images());
    images.sort(Comparator.comparingInt(image -> depth(image.mount())));
    for (BuildSpec.Image image : images) {
      long size = roundUp(image.spec().size() == null ? Sizes.DEFAULT_IMAGE_SIZE : image.spec().size());
      partitions.add(new Partition(partitions.size() + 1, FILESYSTEM, image.mount(), image.index(), next, size));
      next += size;
    }
    if (disk.swap() != null && disk.swap().size() != null) {
      long size = roundUp(disk.swap().size());
      partitions.add(new Partition(partitions.size() + 1, SWAP, null, null, next, size));
      next += size;
    }
    long minimum = next + MIB;
    return new DiskLayout(disk.partitionTable(), disk.size() == null ? minimum : Math.max(roundUp(disk.size()), minimum),
        List.copyOf(partitions));
  }

  /** The smallest disk that holds partitions of these sizes, booting {@code boot} (bios, uefi, both). */
  public static long minimumSize(String table, String boot, List<Long> partitionSizes) {
    var disk = new BuildSpec.DiskSpec(null, null, table, boot, null, null);
    long size = MIB + ("gpt".equals(table) && disk.bootsBios() ? MIB : 0) + (disk.bootsUefi() ? EFI_SYSTEM_SIZE : 0) + MIB;
    for (long partition : partitionSizes) {
      size += roundUp(partition);
    }
    return size;
  }

  /** The EFI system partition, if the disk boots UEFI. */
  public java.util.Optional<Partition> efiSystem() {
    return partitions.stream().filter(p -> EFI_SYSTEM.equals(p.role())).findFirst();
  }

  public Partition root() {
    return partitions.stream().filter(p -> "/".equals(p.mount())).findFirst().orElseThrow();
  }

  /** The partitions holding filesystems, shallowest mount point first. */
  public List<Partition> filesystems() {
    return partitions.stream().filter(p -> FILESYSTEM.equals(p.role())).toList();
  }

  /** sfdisk's input for this layout (sectors of 512 bytes). */
  public String sfdiskScript() {
    boolean gpt = "gpt".equals(table);
    StringBuilder script = new StringBuilder("label: " + (gpt ? "gpt" : "dos") + "\n");
    for (Partition p : partitions) {
      script.append("start=").append(p.start() / 512).append(", size=").append(p.size() / 512).append(", type=")
          .append(type(p.role(), gpt));
      if (!gpt && "/".equals(p.mount())) {
        script.append(", bootable");
      }
      script.append('\n');
    }
    return script.toString();
  }

  private static String type(String role, boolean gpt) {
    return switch (role) {
      case BIOS_BOOT -> "21686148-6449-6E6F-744E-656564454649";
      case EFI_SYSTEM -> gpt ? "C12A7328-F81F-11D2-BA4B-00A0C93EC93B" : "ef";
      case SWAP -> gpt ? "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F" : "82";
      default -> gpt ? "0FC63DAF-8483-4772-8E79-3D69D8477DE4" : "83";
    };
  }

  private static long roundUp(long bytes) {
    return (bytes + MIB - 1) / MIB * MIB;
  }

  private static int depth(String mount) {
    return "/".equals(mount) ? 0 : mount.split("/").length - 1;
  }
}

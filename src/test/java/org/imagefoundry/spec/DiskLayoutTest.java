package org.imagefoundry.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import org.imagefoundry.spec.BuildSpec.DiskSpec;
import org.imagefoundry.spec.BuildSpec.ImageSpec;
import org.imagefoundry.spec.BuildSpec.Swap;
import org.junit.jupiter.api.Test;

class DiskLayoutTest {

  static final long MIB = DiskLayout.MIB;

  static BuildSpec spec(String table, Long diskSize) {
    return spec(table, "bios", diskSize);
  }

  static BuildSpec spec(String table, String boot, Long diskSize) {
    var images = new LinkedHashMap<String, ImageSpec>();
    images.put("/var", new ImageSpec("var.img", "ext4", "raw", null, null, 256 * MIB));
    images.put("/", new ImageSpec("root.img", "ext4", "raw", null, null, 1024 * MIB + 5));
    return new BuildSpec(images, "/out", "bookworm", List.of(), List.of("linux-image-amd64"), null, null, null, null,
        new DiskSpec("d.qcow2", "qcow2", table, boot, diskSize, new Swap(128 * MIB)), null);
  }

  @Test
  void gptGetsABiosBootPartitionThenRootFirstEachOfItsImagesSizeRoundedToMibThenSwap() {
    DiskLayout layout = DiskLayout.of(spec("gpt", null));

    assertThat(layout.partitions()).containsExactly(
        new DiskLayout.Partition(1, "bios_boot", null, null, MIB, MIB),
        new DiskLayout.Partition(2, "filesystem", "/", 1, 2 * MIB, 1025 * MIB),
        new DiskLayout.Partition(3, "filesystem", "/var", 0, 1027 * MIB, 256 * MIB),
        new DiskLayout.Partition(4, "swap", null, null, 1283 * MIB, 128 * MIB));
    assertThat(layout.size()).isEqualTo(1412 * MIB).isEqualTo(DiskLayout.minimumSize("gpt", "bios", List.of(1024 * MIB + 5,
        256 * MIB, 128 * MIB)));
    assertThat(layout.sfdiskScript()).startsWith("label: gpt\nstart=2048, size=2048, type=21686148-6449-6E6F-744E-656564454649\n")
        .contains("start=4096, size=2099200, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n")
        .endsWith("type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F\n");
  }

  @Test
  void msdosHasNoBiosBootPartitionMarksRootBootableAndALargerDiskKeepsItsSize() {
    DiskLayout layout = DiskLayout.of(spec("msdos", 4096 * MIB));

    assertThat(layout.root()).isEqualTo(new DiskLayout.Partition(1, "filesystem", "/", 1, MIB, 1025 * MIB));
    assertThat(layout.size()).isEqualTo(4096 * MIB);
    assertThat(layout.sfdiskScript()).startsWith("label: dos\nstart=2048, size=2099200, type=83, bootable\n")
        .endsWith("type=82\n");
  }

  @Test
  void uefiOnGptHasAnEfiSystemPartitionFirstAndNoBiosBootPartition() {
    DiskLayout layout = DiskLayout.of(spec("gpt", "uefi", null));

    assertThat(layout.partitions()).containsExactly(
        new DiskLayout.Partition(1, "efi_system", "/boot/efi", null, MIB, 100 * MIB),
        new DiskLayout.Partition(2, "filesystem", "/", 1, 101 * MIB, 1025 * MIB),
        new DiskLayout.Partition(3, "filesystem", "/var", 0, 1126 * MIB, 256 * MIB),
        new DiskLayout.Partition(4, "swap", null, null, 1382 * MIB, 128 * MIB));
    assertThat(layout.efiSystem()).contains(layout.partitions().get(0));
    assertThat(layout.size()).isEqualTo(1511 * MIB).isEqualTo(DiskLayout.minimumSize("gpt", "uefi",
        List.of(1024 * MIB + 5, 256 * MIB, 128 * MIB)));
    assertThat(layout.sfdiskScript())
        .startsWith("label: gpt\nstart=2048, size=204800, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n")
        .doesNotContain("21686148-6449-6E6F-744E-656564454649");
  }

  @Test
  void bothOnGptHasTheBiosBootPartitionThenTheEfiSystemPartition() {
    DiskLayout layout = DiskLayout.of(spec("gpt", "both", null));

    assertThat(layout.partitions()).extracting(p -> p.number() + " " + p.role() + " " + p.start() / MIB + " " + p.size() / MIB)
        .containsExactly("1 bios_boot 1 1", "2 efi_system 2 100", "3 filesystem 102 1025", "4 filesystem 1127 256",
            "5 swap 1383 128");
    assertThat(layout.root().number()).isEqualTo(3);
    assertThat(layout.size()).isEqualTo(1512 * MIB).isEqualTo(DiskLayout.minimumSize("gpt", "both",
        List.of(1024 * MIB + 5, 256 * MIB, 128 * MIB)));
    assertThat(layout.sfdiskScript()).startsWith("label: gpt\n"
        + "start=2048, size=2048, type=21686148-6449-6E6F-744E-656564454649\n"
        + "start=4096, size=204800, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n");
  }

  @Test
  void uefiOnMsdosHasAnEfiSystemPartitionOfTypeEfAndRootStaysBootable() {
    for (String boot : List.of("uefi", "both")) {
      DiskLayout layout = DiskLayout.of(spec("msdos", boot, null));

      assertThat(layout.partitions()).extracting(DiskLayout.Partition::role)
          .containsExactly("efi_system", "filesystem", "filesystem", "swap");
      assertThat(layout.size()).isEqualTo(1511 * MIB).isEqualTo(DiskLayout.minimumSize("msdos", boot,
          List.of(1024 * MIB + 5, 256 * MIB, 128 * MIB)));
      assertThat(layout.sfdiskScript()).startsWith("label: dos\nstart=2048, size=204800, type=ef\n"
          + "start=206848, size=2099200, type=83, bootable\n");
    }
  }

  @Test
  void biosHasNoEfiSystemPartition() {
    assertThat(DiskLayout.of(spec("gpt", "bios", null)).efiSystem()).isEmpty();
    assertThat(DiskLayout.of(spec("msdos", null, null)).efiSystem()).isEmpty();
  }
}

package org.imagefoundry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.imagefoundry.host.BuildFailure;
import org.imagefoundry.host.Grub;
import org.imagefoundry.metadata.BuildMetadata;
import org.imagefoundry.metadata.DiskMetadata;
import org.imagefoundry.metadata.MetadataFiles;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ImageChecks;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.testing.SerialConsole;
import org.imagefoundry.testing.SpdxSchema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

/**
 * A bootable disk built for real: a qcow2 disk of "/", "/var" and a swap that boots both BIOS and UEFI
 * boots under qemu (TCG) twice, with SeaBIOS and with OVMF, each time to a login on the serial console with
 * exactly the requested filesystems and the EFI system partition mounted, and its SPDX document lists what
 * dpkg-query lists in the running image. A second build fails in its UEFI bootloader, after GRUB for BIOS
 * went in, and leaves nothing. Its own service (own database, node name and build root, the
 * shared data dir and its caches), because it spies on GRUB; the two builds run side by side.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:disk-test;DB_CLOSE_DELAY=-1",
    "image-foundry.node-name=disk-it",
    "image-foundry.data-dir=" + DiskIT.ROOT + "/data",
    "image-foundry.build-root=" + DiskIT.ROOT + "/disk-build",
    "image-foundry.allowed-output-roots=" + DiskIT.ROOT + "/images",
    "image-foundry.admin.password=" + DiskIT.PASSWORD,
    "image-foundry.retry-cycle=R2/PT5S",
    "image-foundry.max-concurrent-builds=2",
})
@Execution(ExecutionMode.CONCURRENT)
class DiskIT {

  static final String ROOT = "/var/tmp/image-foundry-it";
  static final String PASSWORD = "disk-test";
  static final Path OUTPUT = Path.of(ROOT, "images", "disk");
  static final Path BUILD_ROOT = Path.of(ROOT, "disk-build");
  static final Duration BOOT_LIMIT = Duration.ofMinutes(6);

  @LocalServerPort int port;
  @MockitoSpyBean Grub grub;
  Api api;

  @BeforeAll
  static void removeEarlierOutputs() {
    Requests.delete(OUTPUT);
  }

  @BeforeEach
  void setUp() {
    api = new Api("http://localhost:" + port, "admin", PASSWORD);
  }

  static String request(String name, String boot) {
    return """
        {"image_data": {
           "/": {"uri": "http://images.invalid/%1$s-root.img.zst", "format": "ext4", "container": "zstd", "size": "2G"},
           "/var": {"uri": "http://images.invalid/%1$s-var.img.zst", "format": "ext4", "container": "zstd", "size": "1G"}},
         "disk": {"name": "%1$s.qcow2", "format": "qcow2", "partition_table": "gpt", "boot": "%4$s",
                  "swap": {"size": "128M"}},
         "output": "%2$s", "codename": "bookworm", "variant": "minbase",
         "repos": [{"name": "debian", "suite": "bookworm", "section": "main"}],
         "packages": ["linux-image-amd64", "systemd-sysv", "less"],
         "root_password": "%3$s"}
        """.formatted(name, OUTPUT.resolve(name), PASSWORD, boot);
  }

  @Test
  void aDiskBootingBothBootsWithSeaBiosAndWithOvmfToLoginWithTheRequestedFilesystemsAndItsSbomIsWhatDpkgLists(
      @TempDir Path firmware) throws Exception {
    String id = api.start(request("both", "both"));

    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(30));

    assertThat(build.get("state").asText()).as(api.log(id)).isEqualTo("SUCCEEDED");
    ImageChecks.assertNothingLeft(BUILD_ROOT, id, OUTPUT.resolve("both"));
    BuildMetadata metadata = MetadataFiles.read(Path.of(build.get("metadataPath").asText())).orElseThrow();
    DiskMetadata disk = metadata.disk();
    Path diskFile = OUTPUT.resolve("both").resolve("both.qcow2");
    assertThat(disk.name()).isEqualTo("both.qcow2");
    assertThat(disk.format()).isEqualTo("qcow2");
    assertThat(disk.boot()).isEqualTo("both");
    assertThat(disk.size()).isEqualTo(Files.size(diskFile));
    assertThat(disk.md5()).isEqualTo(ImageChecks.md5(diskFile));
    assertThat(disk.partitions()).extracting(p -> p.number() + " " + p.role() + " " + p.mount() + " " + p.filesystem())
        .containsExactly("1 bios_boot null null", "2 efi_system /boot/efi vfat", "3 filesystem / ext4",
            "4 filesystem /var ext4", "5 swap null null");
    assertThat(metadata.installedPackages()).extracting(p -> p.name())
        .contains("linux-image-amd64", "systemd-sysv", "less", "base-files");
    assertThat(metadata.installedPackages()).filteredOn(p -> p.name().equals("less")).singleElement()
        .satisfies(p -> assertThat(p.repo()).isEqualTo("debian"));

    JsonNode sbom = new ObjectMapper().readTree(Files.readString(OUTPUT.resolve("both").resolve("both-root.spdx.json")));
    assertThat(SpdxSchema.problems(sbom)).isEmpty();
    assertThat(api.get("/api/builds/" + id + "/sbom").json()).isEqualTo(sbom);
    assertThat(api.get("/api/builds/" + id + "/packages").json()).hasSize(metadata.installedPackages().size());
    Set<String> spdxPackages = new TreeSet<>();
    sbom.get("packages").forEach(p -> spdxPackages.add(p.get("name").asText() + "=" + p.get("versionInfo").asText()));

    try (SerialConsole console = SerialConsole.boot(diskFile, "qcow2")) {
      logInAndCheckMounts(console, "SeaBIOS", "bios");
      console.type("dpkg-query --show --showformat '${db:Status-Abbrev}${Package}=${Version}\\n' | grep '^ii'"
          + " | cut -c4- | tr -d ' '; echo PACKAGES-''END");
      String packages = console.await("PACKAGES-END", Duration.ofMinutes(2));
      Set<String> dpkg = lines(packages).stream().filter(l -> l.matches("[a-z0-9][a-z0-9.+-]+=\\S+"))
          .collect(Collectors.toCollection(TreeSet::new));
      assertThat(dpkg).as(packages).isNotEmpty().isEqualTo(spdxPackages);
    }
    try (SerialConsole console = SerialConsole.bootWithOvmf(diskFile, "qcow2", firmware)) {
      logInAndCheckMounts(console, "OVMF", "uefi");
    }
  }

  /**
   * Logs in as root once the booted disk shows its login prompt, and checks that it booted with the
   * {@code firmware} expected (/sys/firmware/efi exists only under UEFI) and has exactly the requested
   * filesystems, the EFI system partition and the swap.
   */
  void logInAndCheckMounts(SerialConsole console, String firmwareName, String firmware) {
    long started = System.nanoTime();
    console.await("login:", BOOT_LIMIT);
    System.out.printf("DiskIT: login prompt with %s after %d s%n", firmwareName,
        Duration.ofNanos(System.nanoTime() - started).toSeconds());
    console.type("root");
    console.await("Password:", Duration.ofMinutes(1));
    console.type(PASSWORD);
    console.await("# ", Duration.ofMinutes(2));
    console.type("findmnt --noheadings --list --types ext2,ext3,ext4,xfs,vfat --output TARGET,FSTYPE,SOURCE;"
        + " swapon --noheadings --show=TYPE; if [ -d /sys/firmware/efi ]; then echo firmware=''uefi;"
        + " else echo firmware=''bios; fi; echo MOUNTS-''END");
    String mounts = console.await("MOUNTS-END", Duration.ofMinutes(2));

    List<String> mountLines = lines(mounts);
    assertThat(mountLines).as(mounts).contains("firmware=" + firmware);
    assertThat(mountLines).as(mounts).anyMatch(l -> l.matches("/ +ext4 +/dev/vda3"))
        .anyMatch(l -> l.matches("/var +ext4 +/dev/vda4")).anyMatch(l -> l.matches("/boot/efi +vfat +/dev/vda2"))
        .anyMatch(l -> l.trim().equals("partition"));
    assertThat(mountLines).as(mounts).filteredOn(l -> l.matches("/\\S* +(ext2|ext3|ext4|xfs|vfat) .*")).hasSize(3);
  }

  @Test
  void aBuildFailingInItsUefiBootloaderLeavesNothingBehind() {
    doAnswer(call -> {
      if (call.getArgument(0).toString().contains(failing)) {
        throw new BuildFailure("grub-mkimage --format=x86_64-efi failed (the test's doing)");
      }
      return call.callRealMethod();
    }).when(grub).makeUefiImage(any(), anyString(), anyString(), any());
    String id = api.start(request("broken-bootloader", "both"));
    failing = id;

    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(30));

    assertThat(build.get("state").asText()).as(api.log(id)).isEqualTo("FAILED");
    assertThat(build.get("error").asText()).startsWith("installBootloader: ");
    assertThat(api.log(id)).contains("mkfs.vfat", "grub-install --target=i386-pc", "undoAssembleDisk",
        "undoPartitionDisk", "sweepAfterFailure");
    ImageChecks.assertNothingLeft(BUILD_ROOT, id, OUTPUT.resolve("broken-bootloader"));
    assertThat(OUTPUT.resolve("broken-bootloader")).satisfiesAnyOf(
        dir -> assertThat(dir).doesNotExist(), dir -> assertThat(dir).isEmptyDirectory());
  }

  volatile String failing = "no build yet";

  /** The console's lines without terminal escapes (bash's bracketed-paste switches prefix its output). */
  static List<String> lines(String text) {
    return Arrays.stream(text.replaceAll("\u001B\\[[0-9;?]*[A-Za-z]", "").split("\n")).map(String::strip).toList();
  }
}

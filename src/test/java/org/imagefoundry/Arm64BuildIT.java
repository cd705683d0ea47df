package org.imagefoundry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.imagefoundry.metadata.BuildMetadata;
import org.imagefoundry.metadata.MetadataFiles;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ImageChecks;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.testing.SerialConsole;
import org.imagefoundry.testing.SpdxSchema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Images for another architecture, built for real on this host: an arm64 build of "/" and "/var" and a
 * UEFI qcow2 disk, its programs run under qemu-user (the host's binfmt_misc handler with the F flag, which
 * scripts/install-prerequisites registers). Its binaries are AArch64, its dpkg is arm64, its metadata and
 * SPDX document say arm64, nothing of qemu is in it and nothing of the build is left; the disk boots under
 * qemu-system-aarch64 (TCG) with AAVMF to a login on the serial console, where {@code uname -m} is aarch64.
 * A second arm64 build of the same packages comes from the caches; an amd64 build beside it does not come
 * from the arm64 ones. Its own service (own database, node name and build root; the shared data dir). It
 * runs beside the other classes (the emulated build is the longest of the suite; the others fill the wait).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:arm64-test;DB_CLOSE_DELAY=-1",
    "image-foundry.node-name=arm64-it",
    "image-foundry.data-dir=" + Arm64BuildIT.ROOT + "/data",
    "image-foundry.build-root=" + Arm64BuildIT.ROOT + "/arm64-build",
    "image-foundry.allowed-output-roots=" + Arm64BuildIT.ROOT + "/images",
    "image-foundry.admin.password=" + Arm64BuildIT.PASSWORD,
    "image-foundry.retry-cycle=R2/PT5S",
    "image-foundry.max-concurrent-builds=2",
})
@Execution(ExecutionMode.CONCURRENT)
class Arm64BuildIT {

  static final String ROOT = "/var/tmp/image-foundry-it";
  static final String PASSWORD = "arm64-test";
  static final Path OUTPUT = Path.of(ROOT, "images", "arm64");
  static final Path BUILD_ROOT = Path.of(ROOT, "arm64-build");
  static final List<String> PACKAGES = List.of("linux-image-arm64", "grub-efi-arm64-bin", "systemd-sysv", "less");
  /** The ELF header's e_machine of AArch64 and of x86-64 programs. */
  static final int AARCH64 = 183;
  static final int X86_64 = 62;

  @LocalServerPort int port;

  @BeforeAll
  static void removeEarlierOutputs() {
    Requests.delete(OUTPUT);
  }

  static String request(String name, String architecture, List<String> packages, String password, boolean disk) {
    return """
        {"architecture": "%4$s",
         "image_data": {
           "/": {"uri": "http://images.invalid/%1$s-root.img.zst", "format": "ext4", "container": "zstd", "size": "2G"},
           "/var": {"uri": "http://images.invalid/%1$s-var.img.zst", "format": "ext4", "container": "zstd", "size": "1G"}},
         %6$s
         "output": "%2$s", "codename": "bookworm", "variant": "minbase",
         "repos": [{"name": "debian", "suite": "bookworm", "section": "main"}],
         "packages": [%5$s],
         "root_password": "%3$s"}
        """.formatted(name, OUTPUT.resolve(name), password, architecture,
        String.join(", ", packages.stream().map(p -> "\"" + p + "\"").toList()),
        disk ? "\"disk\": {\"name\": \"" + name + ".qcow2\", \"format\": \"qcow2\"}," : "");
  }

  @Test
  void anArm64DiskIsAArch64ThroughOutBootsWithAavmfToLoginAndItsPackagesComeFromTheCachesOnlyForArm64(
      @TempDir Path scratch) throws Exception {
    Api api = new Api("http://localhost:" + port, "admin", PASSWORD);
    long started = System.nanoTime();
    String id = api.start(request("first", "arm64", PACKAGES, PASSWORD, true));

    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(40));

    String log = api.log(id);
    System.out.printf("Arm64BuildIT: the first arm64 build took %d s%n", Duration.ofNanos(System.nanoTime() - started).toSeconds());
    assertThat(build.get("state").asText()).as(log).isEqualTo("SUCCEEDED");
    assertThat(build.get("architecture").asText()).isEqualTo("arm64");
    ImageChecks.assertNothingLeft(BUILD_ROOT, id, OUTPUT.resolve("first"));
    Path metadataFile = Path.of(build.get("metadataPath").asText());
    // one initramfs pass, not the kernel hook's and then the trigger's: minutes each under emulation (none when
    // the package layer came from the cache, as on a second run of the suite on one machine)
    boolean installed = !MetadataFiles.read(metadataFile).orElseThrow().packagesFromCache();
    assertThat(log.split("update-initramfs: Generating", -1)).as(log).hasSize(installed ? 2 : 1);
    assertThat(Files.readString(metadataFile)).contains("architecture: arm64");
    BuildMetadata metadata = ImageChecks.verifyPublished(metadataFile, PACKAGES, scratch.resolve("first"),
        mnt -> assertBuiltFor(mnt, "arm64", AARCH64));
    assertThat(metadata.architecture()).isEqualTo("arm64");
    assertThat(metadata.disk().boot()).isEqualTo("uefi");
    assertThat(metadata.disk().partitions()).extracting(p -> p.number() + " " + p.role() + " " + p.mount())
        .containsExactly("1 efi_system /boot/efi", "2 filesystem /", "3 filesystem /var");
    assertThat(metadata.installedPackages()).filteredOn(p -> p.name().equals("dpkg")).singleElement()
        .satisfies(p -> assertThat(p.architecture()).isEqualTo("arm64"));
    JsonNode sbom = new ObjectMapper().readTree(Files.readString(OUTPUT.resolve("first/first-root.spdx.json")));
    assertThat(SpdxSchema.problems(sbom)).isEmpty();
    List<String> purls = sbom.get("packages").findValues("referenceLocator").stream().map(JsonNode::asText).toList();
    assertThat(purls).isNotEmpty().allMatch(purl -> purl.contains("arch=arm64") || purl.contains("arch=all"))
        .anyMatch(purl -> purl.startsWith("pkg:deb/debian/dpkg@") && purl.contains("arch=arm64"));

    // the same packages again (another password, no disk) from the caches; amd64 beside it from none of them
    String again = api.start(request("again", "arm64", PACKAGES, "another-password", false));
    String amd64 = api.start(request("amd64", "amd64", List.of("less"), PASSWORD, false));

    try (SerialConsole console = SerialConsole.bootArm64(OUTPUT.resolve("first/first.qcow2"), "qcow2", scratch)) {
      long booting = System.nanoTime();
      console.await("login:", Duration.ofMinutes(10));
      System.out.printf("Arm64BuildIT: login prompt under qemu-system-aarch64 after %d s%n",
          Duration.ofNanos(System.nanoTime() - booting).toSeconds());
      console.type("root");
      console.await("Password:", Duration.ofMinutes(1));
      console.type(PASSWORD);
      console.await("# ", Duration.ofMinutes(2));
      console.type("uname -m; findmnt --noheadings --list --types ext4,vfat --output TARGET,FSTYPE,SOURCE; echo MOUNTS-''END");
      List<String> lines = DiskIT.lines(console.await("MOUNTS-END", Duration.ofMinutes(2)));
      assertThat(lines).contains("aarch64");
      assertThat(lines).anyMatch(l -> l.matches("/ +ext4 +/dev/vda2")).anyMatch(l -> l.matches("/var +ext4 +/dev/vda3"))
          .anyMatch(l -> l.matches("/boot/efi +vfat +/dev/vda1"));
    }

    JsonNode second = api.awaitEnd(again, Duration.ofMinutes(20));
    assertThat(second.get("state").asText()).as(api.log(again)).isEqualTo("SUCCEEDED");
    BuildMetadata cached = ImageChecks.verifyPublished(Path.of(second.get("metadataPath").asText()), PACKAGES,
        scratch.resolve("again"), mnt -> assertBuiltFor(mnt, "arm64", AARCH64));
    assertThat(cached.packagesFromCache()).as("the arm64 package layer of the first build").isTrue();
    assertThat(cached.baseFromCache()).isTrue();

    JsonNode beside = api.awaitEnd(amd64, Duration.ofMinutes(20));
    assertThat(beside.get("state").asText()).as(api.log(amd64)).isEqualTo("SUCCEEDED");
    assertThat(beside.get("architecture").asText()).isEqualTo("amd64");
    BuildMetadata native64 = ImageChecks.verifyPublished(Path.of(beside.get("metadataPath").asText()), List.of("less"),
        scratch.resolve("amd64"), mnt -> assertBuiltFor(mnt, "amd64", X86_64));
    assertThat(native64.architecture()).isEqualTo("amd64");
    ImageChecks.assertNothingLeft(BUILD_ROOT, again, OUTPUT.resolve("again"));
    ImageChecks.assertNothingLeft(BUILD_ROOT, amd64, OUTPUT.resolve("amd64"));
  }

  /**
   * The mounted image's programs are of {@code machine}, its dpkg and its apt sources of {@code architecture},
   * and it holds no qemu.
   */
  static void assertBuiltFor(Path mnt, String architecture, int machine) {
    assertThat(elfMachine(mnt.resolve("usr/bin/dpkg"))).as("ELF machine of /usr/bin/dpkg").isEqualTo(machine);
    assertThat(elfMachine(mnt.resolve("usr/bin/less"))).as("ELF machine of /usr/bin/less").isEqualTo(machine);
    assertThat(read(mnt.resolve("etc/apt/sources.list.d/debian.list"))).startsWith("deb [arch=" + architecture + "] ");
    String status = read(mnt.resolve("var/lib/dpkg/status"));
    assertThat(status).contains("Package: dpkg\n");
    String dpkg = status.substring(status.indexOf("Package: dpkg\n"));
    assertThat(dpkg.substring(0, dpkg.indexOf("\n\n"))).contains("\nStatus: install ok installed\n",
        "\nArchitecture: " + architecture + "\n");
    try (Stream<Path> files = Files.walk(mnt)) {
      assertThat(files.map(f -> f.getFileName() == null ? "" : f.getFileName().toString()))
          .as("nothing of qemu in the image").noneMatch(name -> name.startsWith("qemu-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The ELF header's e_machine (bytes 18 and 19, little-endian on both architectures). */
  static int elfMachine(Path program) {
    try (InputStream in = Files.newInputStream(program)) {
      byte[] header = in.readNBytes(20);
      assertThat(header).as(program + " is ELF").startsWith(0x7f, 'E', 'L', 'F');
      return (header[18] & 0xff) | (header[19] & 0xff) << 8;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package org.imagefoundry.spec;

import org.imagefoundry.host.Binfmt;

import org.imagefoundry.rules.Problem;
import org.imagefoundry.users.Caller;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a request may ask for: mkfs options, package names, repo hosts, trusted repos and keyrings, by caller. */
class SpecValidatorTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Caller BUILDER = new Caller("builder", false);
  static final Caller ADMIN = new Caller("admin", true);

  @TempDir Path dir;
  SpecValidator validator;
  Binfmt binfmt;
  Path keyring;

  @BeforeEach
  void setUp() throws Exception {
    Path apt = dir.resolve("apt");
    Files.createDirectories(apt.resolve("sources.list.d"));
    Files.writeString(apt.resolve("sources.list.d/archive.sources"),
        "Types: deb\nURIs: http://Deb.Example.org/debian\nSuites: bookworm\nComponents: main\n");
    FoundrySettings settings = Settings.with(dir.resolve("build"), List.of(dir.resolve("images")));
    // this host runs arm64 programs under qemu-user (a handler with the F flag), armhf ones only without it
    Files.createDirectories(dir.resolve("binfmt"));
    Files.writeString(dir.resolve("binfmt/qemu-aarch64"), "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\n"
        + "flags: POF\noffset 0\nmagic 7f454c46\n");
    Files.writeString(dir.resolve("binfmt/qemu-arm"), "enabled\ninterpreter /usr/bin/qemu-arm-static\nflags: OC\n");
    binfmt = new Binfmt(dir.resolve("binfmt"));
    validator = new SpecValidator(settings, new RepoHosts(settings, new DefaultMirror(settings, apt)), binfmt);
    keyring = Files.list(Path.of("/usr/share/keyrings")).filter(Files::isRegularFile).findFirst().orElse(null);
  }

  ObjectNode request(Consumer<ObjectNode> change) throws Exception {
    ObjectNode request = (ObjectNode) JSON.readTree("""
        {"image_data": {"/": {"uri": "http://h/root.img.gz", "format": "ext4", "container": "gzip"},
                        "/srv": {"uri": "http://h/srv.img.gz", "format": "xfs", "container": "gzip"}},
         "output": "%s", "codename": "bookworm",
         "repos": [{"name": "debian"}, {"name": "extra", "uri": "http://deb.example.org/extra", "suite": "x"}],
         "packages": ["less"]}
        """.formatted(dir.resolve("images")));
    change.accept(request);
    return request;
  }

  List<String> fields(Caller caller, Consumer<ObjectNode> change) throws Exception {
    return validator.validate(request(change), caller).stream().map(Problem::field).toList();
  }

  static ObjectNode image(ObjectNode request, String mount) {
    return (ObjectNode) request.get("image_data").get(mount);
  }

  static ObjectNode repo(ObjectNode request, int index) {
    return (ObjectNode) request.get("repos").get(index);
  }

  static void options(ObjectNode request, String mount, String... options) {
    ArrayNode list = image(request, mount).putArray("options");
    for (String option : options) {
      list.add(option);
    }
  }

  @Test
  void theRequestAsWrittenIsValidForABuilder() throws Exception {
    assertThat(fields(BUILDER, r -> {})).isEmpty();
  }

  @Test
  void mkfsOptionsThatShapeTheFilesystemPass() throws Exception {
    assertThat(fields(BUILDER, r -> {
      options(r, "/", "-b", "4096", "-I", "256", "-i", "16384", "-m", "1", "-N", "100000", "-O",
          "^metadata_csum,64bit,dir_index", "-E", "lazy_itable_init=0,stride=16,nodiscard", "-T", "largefile", "-j",
          "-J", "size=64", "-e", "remount-ro");
      options(r, "/srv", "-b", "size=4096", "-m", "crc=1,finobt=1", "-n", "size=8192,ftype=1", "-l", "size=64m",
          "-i", "size=512", "-d", "agcount=4", "-K");
    })).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"-d|/etc", "-z|undo.e2undo", "-c", "-l|badblocks.txt", "-E|offset=4096", "-E|root_owner=0:0",
      "-E|stride=1,test_fs", "-J|device=/dev/sda", "-O|journal_dev", "-O|$(reboot)", "-b4096", "-b|999", "-b|-4096",
      "-i|99999999999999999999999", "-m|75", "-N|0", "-T|hurd", "-U|/etc/passwd", "-O", "4096", "-L|x", "-F", "-S",
      "--", "-E|stride=", "-E|,", "-D", "-n"})
  void anExtOptionThatNamesAFileOrIsNotKnownIsRefusedNamingTheField(String options) throws Exception {
    List<String> fields = fields(ADMIN, r -> options(r, "/", options.split("\\|")));

    assertThat(fields).isNotEmpty().allMatch(field -> field.startsWith("image_data./.options"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-p|/etc/protofile", "-l|logdev=/dev/sda", "-l|file=1,name=/tmp/log", "-d|file=1,name=/etc/x",
      "-d|size=1g", "-r|rtdev=/dev/sdb", "-b|size=3", "-b|log=12", "-m|crc=2", "-N", "-i|size=512,,", "-s|size=1t"})
  void anXfsOptionThatNamesAFileOrIsNotKnownIsRefusedNamingTheField(String options) throws Exception {
    List<String> fields = fields(ADMIN, r -> options(r, "/srv", options.split("\\|")));

    assertThat(fields).isNotEmpty().allMatch(field -> field.startsWith("image_data./srv.options"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a.+", "less-", "less/bookworm-backports", "less=", "?name(less)", "~nless", "less*", "lib..c",
      "less.", "+less", "less^", "l[e]ss", "less|vim", "less$", "a+.b", "less:amd64", "-less", "less=1.0-"})
  void aPatternARemovalOrAReleaseSelectorIsNotAPackageName(String name) throws Exception {
    assertThat(fields(ADMIN, r -> r.putArray("packages").add("less").add(name))).containsExactly("packages[1]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"less", "g++", "libstdc++6", "ncbi-blast+", "python3.11", "less=590-2", "libc6=2.36-9+deb12u4",
      "bonnie++", "dvd+rw-tools", "tzdata=1:2024a-0"})
  void realPackageNamesAndVersionsPass(String name) throws Exception {
    assertThat(fields(BUILDER, r -> r.putArray("packages").add(name))).isEmpty();
  }

  @Test
  void aBuilderMayUseOnlyTheListedHostsTheDefaultMirrorsByDefault() throws Exception {
    assertThat(fields(BUILDER, r -> repo(r, 1).put("uri", "http://169.254.169.254/latest"))).containsExactly("repos[1].uri");
    assertThat(fields(BUILDER, r -> repo(r, 1).put("uri", "https://internal.example.net:8443/debian")))
        .containsExactly("repos[1].uri");
    assertThat(fields(BUILDER, r -> repo(r, 0).put("uri", "http://[::1]/debian"))).containsExactly("repos[0].uri");
    assertThat(fields(BUILDER, r -> repo(r, 1).put("uri", "https://DEB.example.org/other"))).isEmpty();
  }

  @Test
  void aBuilderMayNotSkipSignaturesNorBringAKeyring() throws Exception {
    assertThat(fields(BUILDER, r -> repo(r, 1).put("trusted", true))).containsExactly("repos[1].trusted");
    assertThat(fields(BUILDER, r -> repo(r, 1).put("trusted", false))).isEmpty();
    if (keyring != null) {
      assertThat(fields(BUILDER, r -> repo(r, 0).put("keyring", keyring.toString()))).containsExactly("repos[0].keyring");
      assertThat(fields(ADMIN, r -> repo(r, 0).put("keyring", keyring.toString()))).isEmpty();
    }
  }

  @Test
  void anAdminMayUseAnyHostAndTrustedRepos() throws Exception {
    assertThat(fields(ADMIN, r -> repo(r, 1).put("uri", "http://repo.internal.example.net/debian").put("trusted", true)))
        .isEmpty();
  }

  @Test
  void anExplicitHostListReplacesTheDefault() throws Exception {
    FoundrySettings defaults = Settings.with(dir.resolve("build"), List.of(dir.resolve("images")));
    FoundrySettings listed = new FoundrySettings(defaults.buildRoot(), defaults.dataDir(), defaults.allowedOutputRoots(),
        "http://deb.example.org/debian", "n", defaults.retryCycle(), defaults.incidentTimeout(), List.of(),
        defaults.timeouts(), defaults.limits(), defaults.cache(), null, true, defaults.health(), defaults.admin(),
        List.of("mirror.example.com", "Security.Example.com"));
    var hosts = new RepoHosts(listed, new DefaultMirror(listed, dir));
    var listedValidator = new SpecValidator(listed, hosts, binfmt);

    assertThat(hosts.allowed()).containsExactlyInAnyOrder("mirror.example.com", "security.example.com");
    assertThat(listedValidator.validate(request(r -> repo(r, 1).put("uri", "http://security.example.com/s")), BUILDER))
        .isEmpty();
    assertThat(listedValidator.validate(request(r -> repo(r, 1).put("uri", "http://deb.example.org/x")), BUILDER))
        .extracting(Problem::field).containsExactly("repos[1].uri");
  }

  @Test
  void theMirrorVariableIsARepoUriOnAnAllowedHostOrOneOfTheBuildsRepos() throws Exception {
    BuildSpec spec = BuildRequests.fromJson(request(r -> repo(r, 0).put("uri", "http://deb.example.org/debian")
        .put("suite", "bookworm")).toString());

    assertThat(validator.validateMirror("http://deb.example.org/debian", spec)).isEmpty();
    assertThat(validator.validateMirror("http://DEB.example.org/other", spec)).isEmpty();
    for (Object bad : new Object[] {"http://deb.example.org/debian\ndeb [trusted=yes] http://evil.example.com/ x main",
        "ftp://deb.example.org/debian", "http://10.0.0.1/debian", "file:///etc", "http://deb.example.org/debian bookworm",
        "", 42, null}) {
      assertThat(validator.validateMirror(bad, spec)).as(String.valueOf(bad)).isNotEmpty()
          .allMatch(problem -> problem.field().equals("mirror"));
    }
  }

  @Test
  void aBuildersProxyIsOnAListedHostToo() throws Exception {
    Consumer<ObjectNode> internalProxy = r -> r.putObject("proxies").putObject("protocols")
        .put("http", "http://169.254.169.254:80");
    assertThat(fields(BUILDER, internalProxy)).containsExactly("proxies.protocols.http");
    assertThat(fields(ADMIN, internalProxy)).isEmpty();
    assertThat(fields(BUILDER, r -> r.putObject("proxies").putObject("protocols")
        .put("http", "http://deb.example.org:3128"))).isEmpty();
  }

  /** The request with a bios disk: "/srv" becomes ext4 (a disk's filesystems are ext), a kernel is installed. */
  static void disk(ObjectNode request, String disk) {
    image(request, "/srv").put("format", "ext4").put("size", "1G");
    image(request, "/").put("size", "2G");
    ((ArrayNode) request.get("packages")).add("linux-image-amd64");
    try {
      request.set("disk", JSON.readTree(disk));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aDiskWithItsLayoutAndAKernelIsValid() throws Exception {
    assertThat(fields(BUILDER, r -> disk(r, """
        {"name": "d.qcow2", "format": "qcow2", "partition_table": "gpt", "boot": "bios", "size": "4G",
         "swap": {"size": "256M"}}"""))).isEmpty();
  }

  @Test
  void aDiskSmallerThanItsPartitionsIsRefusedNamingItsSize() throws Exception {
    assertThat(fields(BUILDER, r -> disk(r, """
        {"name": "d.qcow2", "format": "qcow2", "size": "3G", "swap": {"size": "256M"}}"""))).containsExactly("disk.size");
  }

  @Test
  void aDiskWithoutASizeWhosePartitionsAddUpPastTheLimitIsRefusedNamingItsSize() throws Exception {
    // four images of 64G: 256G, the most all images may take; a swap and the partition tables take the disk past it
    Consumer<ObjectNode> large = r -> {
      disk(r, "{\"name\": \"d.img\", \"format\": \"raw\", \"swap\": {\"size\": \"1G\"}}");
      addImage(r, "/home");
      addImage(r, "/opt");
      for (String mount : List.of("/", "/srv", "/home", "/opt")) {
        image(r, mount).put("size", "64G");
      }
    };
    assertThat(fields(BUILDER, large)).containsExactly("disk.size");
    assertThat(fields(BUILDER, r -> {
      large.accept(r);
      ((ObjectNode) r.get("disk")).remove("swap");
      image(r, "/opt").put("size", "63G");
    })).as("the same partitions, 1G smaller and without the swap").isEmpty();
  }

  @Test
  void aDiskWithoutAKernelAmongThePackagesIsRefusedNamingThePackages() throws Exception {
    assertThat(fields(BUILDER, r -> {
      disk(r, "{\"name\": \"d.img\", \"format\": \"raw\"}");
      ((ArrayNode) r.get("packages")).remove(1);
    })).containsExactly("packages");
  }

  @Test
  void anUnknownBootModeASwapWithoutSizeAndAnUnknownFormatAreRefusedEachNamingItsField() throws Exception {
    assertThat(fields(BUILDER, r -> disk(r, """
        {"name": "d.img", "format": "vmdk", "boot": "coreboot", "partition_table": "apm", "swap": {}}""")))
        .containsExactlyInAnyOrder("disk.format", "disk.boot", "disk.partition_table", "disk.swap.size");
  }

  /** Adds an ext4 image of 1G at {@code mount}, as a disk's partition. */
  static void addImage(ObjectNode request, String mount) {
    ((ObjectNode) request.get("image_data")).putObject(mount).put("uri", "http://h/" + mount.replace('/', '-').substring(1)
        + ".img.gz").put("format", "ext4").put("container", "gzip").put("size", "1G");
  }

  @Test
  void uefiAndBothAreValidBootModesOnGptAndOnMsdos() throws Exception {
    for (String table : List.of("gpt", "msdos")) {
      for (String boot : List.of("bios", "uefi", "both")) {
        assertThat(fields(BUILDER, r -> disk(r, """
            {"name": "d.qcow2", "format": "qcow2", "partition_table": "%s", "boot": "%s", "swap": {"size": "256M"}}"""
            .formatted(table, boot)))).as(table + " " + boot).isEmpty();
      }
    }
  }

  @Test
  void aBootModeThatIsNoneOfTheThreeIsRefusedNamingTheBootField() throws Exception {
    assertThat(fields(BUILDER, r -> disk(r, """
        {"name": "d.qcow2", "format": "qcow2", "boot": ["bios", "uefi"]}"""))).containsExactly("disk.boot");
    assertThat(fields(BUILDER, r -> disk(r, """
        {"name": "d.qcow2", "format": "qcow2", "boot": "UEFI"}"""))).containsExactly("disk.boot");
  }

  @Test
  void theEfiSystemPartitionCountsTowardsMsdossFourPartitions() throws Exception {
    String disk = """
        {"name": "d.qcow2", "format": "qcow2", "partition_table": "msdos", "boot": "%s", "swap": {"size": "256M"}}""";
    assertThat(fields(BUILDER, r -> {
      disk(r, disk.formatted("bios"));
      addImage(r, "/home");
    })).isEmpty();
    assertThat(fields(BUILDER, r -> {
      disk(r, disk.formatted("uefi"));
      addImage(r, "/home");
    })).containsExactly("disk.partition_table");
  }

  @Test
  void theEfiSystemPartitionCountsTowardsTheDisksSize() throws Exception {
    // "/" 2G, "/srv" 1G, swap 256M: 3328 MiB of partitions; 3 MiB more for bios on gpt, 102 for uefi, 103 for both
    String disk = """
        {"name": "d.qcow2", "format": "qcow2", "boot": "%s", "size": "%s", "swap": {"size": "256M"}}""";
    assertThat(fields(BUILDER, r -> disk(r, disk.formatted("bios", "3331M")))).isEmpty();
    assertThat(fields(BUILDER, r -> disk(r, disk.formatted("uefi", "3331M")))).containsExactly("disk.size");
    assertThat(fields(BUILDER, r -> disk(r, disk.formatted("uefi", "3430M")))).isEmpty();
    assertThat(fields(BUILDER, r -> disk(r, disk.formatted("both", "3430M")))).containsExactly("disk.size");
    assertThat(fields(BUILDER, r -> disk(r, disk.formatted("both", "3431M")))).isEmpty();
  }

  @Test
  void anImageWhereAUefiDiskMountsItsEfiSystemPartitionIsRefusedNamingIt() throws Exception {
    for (String boot : List.of("uefi", "both")) {
      assertThat(fields(BUILDER, r -> {
        disk(r, "{\"name\": \"d.img\", \"format\": \"raw\", \"boot\": \"" + boot + "\"}");
        addImage(r, "/boot/efi");
      })).as(boot).containsExactly("image_data./boot/efi");
    }
    assertThat(fields(BUILDER, r -> {
      disk(r, "{\"name\": \"d.img\", \"format\": \"raw\", \"boot\": \"uefi\"}");
      addImage(r, "/boot/efi/x");
    })).containsExactly("image_data./boot/efi/x");
    assertThat(fields(BUILDER, r -> {
      disk(r, "{\"name\": \"d.img\", \"format\": \"raw\", \"boot\": \"bios\"}");
      addImage(r, "/boot/efi");
    })).isEmpty();
  }

  @Test
  void aDiskNeedsExtFilesystemsAndANameThatOverwritesNoImage() throws Exception {
    assertThat(fields(BUILDER, r -> {
      disk(r, "{\"name\": \"root.img.gz\", \"format\": \"raw\"}");
      image(r, "/srv").put("format", "xfs");
    })).containsExactlyInAnyOrder("disk.name", "image_data./srv.format");
  }

  @Test
  void noImageAndNoDiskMayOverwriteTheMetadataOrTheBillOfMaterials() throws Exception {
    assertThat(fields(BUILDER, r -> image(r, "/srv").put("uri", "http://h/root.yaml"))).containsExactly("image_data");
    assertThat(fields(BUILDER, r -> image(r, "/srv").put("uri", "http://h/root.spdx.json"))).containsExactly("image_data");
    assertThat(fields(BUILDER, r -> {
      disk(r, "{\"name\": \"root.spdx.json\", \"format\": \"raw\"}");
      image(r, "/srv").put("format", "ext4");
    })).containsExactly("disk.name");
    assertThat(fields(BUILDER, r -> {
      disk(r, "{\"name\": \"srv.spdx.json\", \"format\": \"raw\"}");
      image(r, "/srv").put("format", "ext4");
    })).isEmpty();
  }

  @Test
  void theDiskExampleIsValidForABuilder() throws Exception {
    String example = Files.readString(Path.of("examples/bookworm-disk.json"))
        .replace("/var/lib/image-foundry/images", dir.resolve("images").toString());

    assertThat(validator.validate(JSON.readTree(example), BUILDER)).isEmpty();
  }

  /** The request with an arm64 UEFI disk: its kernel and GRUB's arm64-efi modules among the packages. */
  static void arm64Disk(ObjectNode request) {
    disk(request, "{\"name\": \"d.qcow2\", \"format\": \"qcow2\", \"boot\": \"uefi\"}");
    request.put("architecture", "arm64");
    request.set("packages", JSON.createArrayNode().add("linux-image-arm64").add("grub-efi-arm64-bin"));
  }

  @Test
  void anArchitectureOfTheTableThatThisHostRunsIsBuilt() throws Exception {
    assertThat(fields(BUILDER, r -> r.put("architecture", "arm64"))).isEmpty();
    assertThat(fields(BUILDER, r -> r.put("architecture", "amd64"))).isEmpty();
    assertThat(fields(BUILDER, SpecValidatorTest::arm64Disk)).isEmpty();
  }

  @Test
  void anArchitectureWithoutAHandlerWithTheFFlagIsRefusedSayingWhatToInstall() throws Exception {
    // armhf: its handler has no F flag (the emulator would have to be inside the sandbox); riscv64: none at all
    for (String name : List.of("armhf", "riscv64")) {
      var problems = validator.validate(request(r -> r.put("architecture", name)), BUILDER);
      assertThat(problems).extracting(Problem::field).containsExactly("architecture");
      assertThat(problems.get(0).message()).contains("cannot run " + name, "F flag", "qemu-user-static",
          "binfmt-support", "scripts/install-prerequisites");
    }
  }

  @Test
  void anUnknownArchitectureNamesTheTable() throws Exception {
    var problems = validator.validate(request(r -> r.put("architecture", "vax")), BUILDER);
    assertThat(problems).extracting(Problem::field).containsExactly("architecture");
    assertThat(problems.get(0).message()).contains("amd64, arm64, armhf, riscv64, ppc64el, s390x");
    assertThat(fields(BUILDER, r -> r.put("architecture", "arm64; rm -rf /"))).containsExactly("architecture");
    assertThat(fields(BUILDER, r -> r.put("architecture", 64))).containsExactly("architecture");
  }

  @Test
  void anArm64DiskBootsWithUefiFromTheImagesOwnGrub() throws Exception {
    var bios = validator.validate(request(r -> {
      arm64Disk(r);
      ((ObjectNode) r.get("disk")).put("boot", "bios");
    }), BUILDER);
    assertThat(bios).extracting(Problem::field).containsExactly("disk.boot");
    assertThat(bios.get(0).message()).contains("UEFI only");
    assertThat(fields(BUILDER, r -> {
      arm64Disk(r);
      ((ObjectNode) r.get("disk")).put("boot", "both");
    })).containsExactly("disk.boot");
    // absent: UEFI, where BIOS is the default for amd64
    assertThat(fields(BUILDER, r -> {
      arm64Disk(r);
      ((ObjectNode) r.get("disk")).remove("boot");
    })).isEmpty();
    var noGrub = validator.validate(request(r -> {
      arm64Disk(r);
      r.set("packages", JSON.createArrayNode().add("linux-image-arm64"));
    }), BUILDER);
    assertThat(noGrub).extracting(Problem::message).containsExactly(
        "GRUB for an arm64 disk comes from the image: add grub-efi-arm64-bin");
    var noKernel = validator.validate(request(r -> {
      arm64Disk(r);
      r.set("packages", JSON.createArrayNode().add("grub-efi-arm64-bin"));
    }), BUILDER);
    assertThat(noKernel).extracting(Problem::message).containsExactly("a disk boots a kernel: add one, e.g. linux-image-arm64");
  }
}

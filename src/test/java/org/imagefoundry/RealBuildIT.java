package org.imagefoundry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.imagefoundry.metadata.BuildMetadata;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ImageChecks;
import org.imagefoundry.testing.LocalRepository;
import org.imagefoundry.testing.RealBuildTest;
import org.imagefoundry.testing.Requests;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Real builds through the API: the example request, fuel-agent's two-image request, a file: repo, eight at once. */
@RealBuildTest
class RealBuildIT {

  /** Its own directory under the output root: other IT classes publish beside it while it runs. */
  static final Path OUTPUT = Path.of(RealBuildTest.ROOT, "images", "real");
  static final Path BUILD_ROOT = Path.of(RealBuildTest.ROOT, "build");

  @LocalServerPort int port;
  @TempDir Path scratch;
  Api api;

  @BeforeAll
  static void removeEarlierOutputs() {
    Requests.delete(OUTPUT);
  }

  @BeforeEach
  void setUp() {
    api = new Api("http://localhost:" + port, "admin", RealBuildTest.PASSWORD);
  }

  @Test
  void buildsTheExampleAndTwoImagesAtOnceEachChecksOutAndTheExampleAgainIsSkipped() throws Exception {
    String example = Files.readString(Path.of("examples/bookworm-minbase.json"))
        .replace("/var/lib/image-foundry/images", OUTPUT.resolve("example").toString());
    String twoImages = """
        {
          "image_data": {
            "/": {"uri": "http://images.invalid/env_2_root.img.gz", "format": "ext4", "container": "gzip", "size": "2G"},
            "/var": {"uri": "http://images.invalid/env_2_var.img.zst", "format": "ext4", "container": "zstd", "size": "1G",
                     "label": "var"}
          },
          "output": "%s",
          "codename": "bookworm",
          "variant": "minbase",
          "repos": [{"name": "debian", "suite": "bookworm", "section": "main", "priority": null, "type": "deb"}],
          "packages": ["less", "netbase"],
          "root_password": "r00t-test"
        }
        """.formatted(OUTPUT.resolve("two"));

    assertThat(api.get("/actuator/health").json().get("components").fieldNames()).toIterable()
        .contains("processEngine", "jobExecutor", "buildHost");
    String exampleId = api.start(example);
    String twoId = api.start(twoImages);

    JsonNode exampleBuild = api.awaitEnd(exampleId, Duration.ofMinutes(20));
    assertThat(exampleBuild.get("state").asText()).as(api.log(exampleId)).isEqualTo("SUCCEEDED");
    Path exampleMetadata = Path.of(exampleBuild.get("metadataPath").asText());
    BuildMetadata metadata = ImageChecks.verifyPublished(exampleMetadata, List.of("less"), scratch.resolve("example"));
    assertThat(exampleBuild.get("images").get(0).get("container_md5").asText())
        .isEqualTo(metadata.images().get(0).containerMd5());
    ImageChecks.assertNothingLeft(BUILD_ROOT, exampleId, exampleMetadata.getParent());

    String again = api.start(example);
    assertThat(api.awaitEnd(again, Duration.ofMinutes(2)).get("state").asText()).isEqualTo("SKIPPED");
    ImageChecks.assertNothingLeft(BUILD_ROOT, again, exampleMetadata.getParent());

    JsonNode twoBuild = api.awaitEnd(twoId, Duration.ofMinutes(20));
    assertThat(twoBuild.get("state").asText()).as(api.log(twoId)).isEqualTo("SUCCEEDED");
    Path twoMetadata = Path.of(twoBuild.get("metadataPath").asText());
    assertThat(twoMetadata.getFileName().toString()).isEqualTo("env_2_root.yaml");
    BuildMetadata two = ImageChecks.verifyPublished(twoMetadata, List.of("less", "netbase"), scratch.resolve("two"),
        mnt -> {
          try {
            String shadow = Files.readString(mnt.resolve("etc/shadow"));
            String hash = shadow.lines().filter(l -> l.startsWith("root:")).findFirst().orElseThrow().split(":")[1];
            assertThat(org.apache.commons.codec.digest.Crypt.crypt("r00t-test", hash)).isEqualTo(hash);
            String status = Files.readString(mnt.resolve("var/lib/dpkg/status"));
            assertThat(status).contains("Package: netbase");
            // /usr merged from the start, and the archive's usr-is-merged in place of mmdebstrap's stand-in
            assertThat(Files.readSymbolicLink(mnt.resolve("bin"))).isEqualTo(Path.of("usr/bin"));
            assertThat(Files.readSymbolicLink(mnt.resolve("lib"))).isEqualTo(Path.of("usr/lib"));
            assertThat(status.split("\n\n")).filteredOn(p -> p.contains("Package: usr-is-merged\n")).singleElement()
                .satisfies(p -> assertThat(p).contains("Status: install ok installed", "Source: usrmerge"));
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    assertThat(two.images()).extracting(i -> i.mount()).containsExactly("/", "/var");
    ImageChecks.assertNothingLeft(BUILD_ROOT, twoId, twoMetadata.getParent());
    assertThat(api.log(twoId)).doesNotContain("r00t-test").contains("phase debootstrap finished");
  }

  /**
   * The same packages again, in an image of another size, come from the package-layer cache: neither
   * debootstrap nor apt runs, the image holds the same packages (dpkg status) as the cold one, and its
   * own root password. The same content for another output, file name and container is published from
   * the cold build's stored images, raw, with the md5 the cold build recorded: md5sum of the published
   * file (checked by verifyPublished) agrees. The same content with a root password is published from
   * them too, with that password written in place in /etc/shadow (mode, owner and group as they were; the
   * copy clean) and the md5 taken as the stored image was copied. All have the cold build's bill of materials.
   */
  @Test
  void theSamePackagesComeFromThePackageLayerCacheAndTheSameContentFromTheStoredImages() {
    Requests.delete(Path.of(RealBuildTest.ROOT, "data", "cache", "layers"));
    Requests.delete(Path.of(RealBuildTest.ROOT, "data", "cache", "images"));
    String request = """
        {"image_data": {"/": {"uri": "http://images.invalid/%s", "format": "ext4", "container": "%s", "size": "1G"}},
         "output": "%s", "codename": "bookworm", "variant": "minbase", "packages": ["less", "bsdextrautils"] %s}
        """;
    String coldId = api.start(request.formatted("layer-cold.img.zst", "zstd", OUTPUT.resolve("layer-cold"), ""));
    JsonNode cold = api.awaitEnd(coldId, Duration.ofMinutes(20));
    assertThat(cold.get("state").asText()).as(api.log(coldId)).isEqualTo("SUCCEEDED");
    // another size: the content differs, the package layer is the same
    String layerId = api.start(request.formatted("layer-warm.img.zst", "zstd", OUTPUT.resolve("layer-warm"),
        ", \"root_password\": \"warm-pw\"").replace("\"1G\"", "\"1100M\""));
    String sameId = api.start(request.formatted("same.img", "raw", OUTPUT.resolve("same-content"), ""));
    String passwordId = api.start(request.formatted("password.img", "raw", OUTPUT.resolve("same-password"),
        ", \"root_password\": \"other-pw\""));
    JsonNode layer = api.awaitEnd(layerId, Duration.ofMinutes(20));
    assertThat(layer.get("state").asText()).as(api.log(layerId)).isEqualTo("SUCCEEDED");
    JsonNode same = api.awaitEnd(sameId, Duration.ofMinutes(20));
    assertThat(same.get("state").asText()).as(api.log(sameId)).isEqualTo("SUCCEEDED");
    JsonNode password = api.awaitEnd(passwordId, Duration.ofMinutes(20));
    assertThat(password.get("state").asText()).as(api.log(passwordId)).isEqualTo("SUCCEEDED");

    Map<String, String> status = new java.util.HashMap<>();
    Map<String, BuildMetadata> metadata = new java.util.HashMap<>();
    for (var built : Map.of("cold", cold, "layer", layer, "same", same, "password", password).entrySet()) {
      Path file = Path.of(built.getValue().get("metadataPath").asText());
      metadata.put(built.getKey(), ImageChecks.verifyPublished(file, List.of("less", "bsdextrautils"),
          scratch.resolve(built.getKey()), mnt -> {
            try {
              status.put(built.getKey(), Files.readString(mnt.resolve("var/lib/dpkg/status")));
              String shadow = Files.readString(mnt.resolve("etc/shadow"));
              String hash = shadow.lines().filter(l -> l.startsWith("root:")).findFirst().orElseThrow().split(":")[1];
              Path shadowFile = mnt.resolve("etc/shadow");
              assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(shadowFile)))
                  .isEqualTo("rw-r-----");
              assertThat(Files.getAttribute(shadowFile, "unix:uid")).isEqualTo(0);
              assertThat(Files.getAttribute(shadowFile, "unix:gid")).isEqualTo(42); // Debian's group shadow
              if (built.getKey().equals("layer")) {
                assertThat(org.apache.commons.codec.digest.Crypt.crypt("warm-pw", hash)).isEqualTo(hash);
              } else if (built.getKey().equals("password")) {
                assertThat(org.apache.commons.codec.digest.Crypt.crypt("other-pw", hash)).isEqualTo(hash);
              } else {
                assertThat(hash).doesNotStartWith("$6$");
              }
              assertThat(mnt.resolve("var/lib/apt/lists")).isDirectoryNotContaining("glob:**_Packages*");
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }));
      ImageChecks.assertNothingLeft(BUILD_ROOT, built.getValue().get("id").asText(), file.getParent());
    }
    assertThat(status.get("cold")).contains("Package: bsdextrautils");
    assertThat(status.get("layer")).isEqualTo(status.get("cold"));
    assertThat(status.get("same")).isEqualTo(status.get("cold"));
    assertThat(status.get("password")).isEqualTo(status.get("cold"));
    assertThat(metadata.get("password").imagesFromCache()).isTrue();
    assertThat(metadata.get("password").images().get(0).rawMd5()).isNotEqualTo(metadata.get("cold").images().get(0).rawMd5());
    assertThat(metadata.get("password").installedPackages()).isEqualTo(metadata.get("cold").installedPackages());
    assertThat(api.log(passwordId)).contains("images copied from a build of the same content",
            "the request's root password is set in the stored root image",
            // root's entry written into /etc/shadow's blocks of the copy, the copy's md5 taken beside the copy and
            // published without the image being read again (verifyPublished's md5sum agrees)
            "written in place, the copy's md5 taken beside it", "e2image")
        .doesNotContain("phase createChroot started", "phase debootstrap started", "$ debugfs -w -f");
    assertThat(metadata.get("cold").packagesFromCache()).isFalse();
    assertThat(metadata.get("layer").packagesFromCache()).isTrue();
    assertThat(metadata.get("layer").imagesFromCache()).isFalse();
    assertThat(metadata.get("same").imagesFromCache()).isTrue();
    assertThat(metadata.get("same").images().get(0).rawMd5()).isEqualTo(metadata.get("cold").images().get(0).rawMd5());
    // the bill of materials of a build from the layer or the store is the one the cold build read
    assertThat(metadata.get("cold").installedPackages()).extracting(p -> p.name()).contains("less", "bsdextrautils");
    assertThat(metadata.get("layer").installedPackages()).isEqualTo(metadata.get("cold").installedPackages());
    assertThat(metadata.get("same").installedPackages()).isEqualTo(metadata.get("cold").installedPackages());
    assertThat(api.log(layerId)).contains("tree unpacked from the layers cache")
        .doesNotContain("phase installPackages started", "$ debootstrap");
    assertThat(api.log(sameId)).contains("images copied from a build of the same content")
        .doesNotContain("phase createChroot started", "phase debootstrap started");
  }

  @Test
  void eightBuildsSubmittedAtOnceAllSucceedEachOnItsOwnLoopDevices() {
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      // a size of its own: eight contents, none of them published from the image store
      ids.add(api.start("""
          {"image_data": {"/": {"uri": "http://images.invalid/eight-%d.img.zst", "format": "ext4", "container": "zstd",
                                "size": "%dM"}},
           "output": "%s", "codename": "bookworm", "variant": "minbase", "packages": []}
          """.formatted(i, 2048 + i, OUTPUT.resolve("eight"))));
    }
    for (String id : ids) {
      JsonNode build = api.awaitEnd(id, Duration.ofMinutes(25));
      assertThat(build.get("state").asText()).as(api.log(id)).isEqualTo("SUCCEEDED");
      assertThat(api.log(id)).contains("$ losetup --find --show").doesNotContain("losetup exited 1");
      ImageChecks.assertNothingLeft(BUILD_ROOT, id, OUTPUT.resolve("eight"));
    }
  }

  @Test
  void packagesComeFromAFileRepositoryThatLeavesNoTraceInTheImage() {
    Path repo = Path.of(RealBuildTest.ROOT, "repos", "local");
    LocalRepository.create(repo);
    String id = api.start("""
        {"image_data": {"/": {"uri": "http://images.invalid/local-repo.img.zst", "format": "ext4", "container": "zstd",
                              "size": "2G"}},
         "output": "%s", "codename": "bookworm", "variant": "minbase",
         "repos": [{"name": "debian", "suite": "bookworm", "section": "main", "priority": null, "type": "deb"},
                   {"name": "local", "uri": "file://%s", "suite": "local", "section": "main", "priority": null,
                    "type": "deb", "trusted": true}],
         "packages": ["%s"]}
        """.formatted(OUTPUT.resolve("local-repo"), repo, LocalRepository.PACKAGE));

    var endedOrStuck = new java.util.HashSet<>(Api.ENDED);
    endedOrStuck.add("INCIDENT");
    JsonNode build = api.awaitState(id, Duration.ofMinutes(20), endedOrStuck);
    if (build.get("state").asText().equals("INCIDENT")) {
      api.post("/api/builds/" + id + "/cancel", "");
      api.awaitEnd(id, Duration.ofMinutes(5));
    }
    assertThat(build.get("state").asText()).as(api.log(id)).isEqualTo("SUCCEEDED");
    Path metadata = Path.of(build.get("metadataPath").asText());
    ImageChecks.verifyPublished(metadata, List.of(LocalRepository.PACKAGE), scratch.resolve("local-repo"), mnt -> {
      assertThat(mnt.resolve(LocalRepository.MARKER)).content().contains("from the file: repository");
      assertThat(mnt.resolve("var/tmp")).isDirectory();
      assertThat(mnt.resolve("var/tmp/image-foundry-it")).doesNotExist();
    });
    assertThat(api.log(id)).contains("$ mount --bind -o ro " + repo);
    ImageChecks.assertNothingLeft(BUILD_ROOT, id, metadata.getParent());
  }

  /**
   * A package script, run as root, tries every way out of the image's tree that a plain chroot with the
   * host's /proc, /sys and /dev offered: the host's root through /proc/PID/root, a device node, the
   * host's sysfs and sysctls, the host's processes. In the sandbox each attempt fails, the host stays
   * as it was, and the build succeeds; the script's own record of its attempts is in the image.
   */
  @Test
  void aPackageScriptCannotReachTheHost() throws Exception {
    Path host = Path.of(RealBuildTest.ROOT, "host-sentinel");
    Requests.delete(host);
    Files.createDirectories(host);
    Files.writeString(host.resolve("sentinel"), "host-only\n");
    String postinst = """
        #!/bin/sh
        host=%s
        log=/var/log/image-foundry-escape.log
        attempt() { if sh -c "$1" >/dev/null 2>&1; then echo "ESCAPED: $1" >>$log; else echo "held: $1" >>$log; fi; }
        for root in /proc/[0-9]*/root; do attempt "echo escaped > $root$host/through-proc-root"; done
        attempt "grep -q host-only /proc/1/root$host/sentinel"
        attempt "mknod /tmp/loop-node b 7 0"
        attempt "test -e /dev/loop-control || test -e /dev/loop0 || test -e /dev/vda || test -e /dev/sda"
        attempt "test -e /sys/block/loop0 || test -e /sys/kernel"
        attempt "cat /proc/sys/kernel/printk_ratelimit > /proc/sys/kernel/printk_ratelimit"
        attempt "test $(ls -d /proc/[0-9]* | wc -l) -gt 20"
        exit 0
        """.formatted(host);
    Path repo = Path.of(RealBuildTest.ROOT, "repos", "escape");
    LocalRepository.create(repo, List.of(new LocalRepository.Package("image-foundry-escape", Map.of(), postinst)));
    String id = api.start("""
        {"image_data": {"/": {"uri": "http://images.invalid/escape.img.zst", "format": "ext4", "container": "zstd",
                              "size": "2G"}},
         "output": "%s", "codename": "bookworm", "variant": "minbase",
         "repos": [{"name": "debian", "suite": "bookworm", "section": "main", "priority": null, "type": "deb"},
                   {"name": "local", "uri": "file://%s", "suite": "local", "section": "main", "priority": null,
                    "type": "deb", "trusted": true}],
         "packages": ["image-foundry-escape"]}
        """.formatted(OUTPUT.resolve("escape"), repo));

    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(20));

    assertThat(build.get("state").asText()).as(api.log(id)).isEqualTo("SUCCEEDED");
    try (var files = Files.list(host)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("sentinel");
    }
    assertThat(host.resolve("sentinel")).hasContent("host-only");
    Path metadata = Path.of(build.get("metadataPath").asText());
    ImageChecks.verifyPublished(metadata, List.of("image-foundry-escape"), scratch.resolve("escape"), mnt -> {
      Path record = mnt.resolve("var/log/image-foundry-escape.log");
      assertThat(record).content().contains("held: grep -q host-only", "held: mknod", "held: cat /proc/sys")
          .doesNotContain("ESCAPED");
    });
    ImageChecks.assertNothingLeft(BUILD_ROOT, id, metadata.getParent());
  }

  /**
   * A package script holds every capability dpkg needs, but none that counts on the host: its postinst
   * runs a static C program (src/test/resources/sandbox/escape-probe.c) that tries open_by_handle_at with
   * a handle for inode 2 ("shocker": the host's root through any directory of the host's disk, such as
   * the package pool or the file: repo) from every mount point it sees and the usual directories, mknod
   * of a block and a character device, a tmpfs mount, a sysctl write and a file in the file: repo (mounted
   * read-only). Its own record, in the image,
   * shows each refused, the handles for want of a capability (EPERM), not of a path; nothing appears in
   * the host's sentinel directory, which the program would write into through any handle that opened.
   */
  @Test
  void aPackageScriptHasNoCapabilityThatCountsOnTheHost() throws Exception {
    Path sentinel = Path.of(RealBuildTest.ROOT, "probe-sentinel");
    Requests.delete(sentinel);
    Files.createDirectories(sentinel);
    Path probe = scratch.resolve("escape-probe");
    Path source = Path.of(getClass().getResource("/sandbox/escape-probe.c").toURI());
    new org.imagefoundry.host.ProcessCommandRunner().run(org.imagefoundry.host.Command.of(Duration.ofMinutes(2),
        "gcc", "-static", "-O2", "-Wall", "-o", probe.toString(), source.toString()));
    Path repo = Path.of(RealBuildTest.ROOT, "repos", "probe");
    String program = "usr/libexec/image-foundry-escape-probe/escape-probe";
    String postinst = """
        #!/bin/sh
        /%s /var/log/image-foundry-escape-probe.log %s/planted %s
        exit 0
        """.formatted(program, sentinel.toString().substring(1), repo);
    LocalRepository.create(repo, List.of(new LocalRepository.Package("image-foundry-escape-probe", Map.of(), postinst,
        Map.of(program, probe))));
    String id = api.start("""
        {"image_data": {"/": {"uri": "http://images.invalid/probe.img.zst", "format": "ext4", "container": "zstd",
                              "size": "2G"}},
         "output": "%s", "codename": "bookworm", "variant": "minbase",
         "repos": [{"name": "debian", "suite": "bookworm", "section": "main", "priority": null, "type": "deb"},
                   {"name": "local", "uri": "file://%s", "suite": "local", "section": "main", "priority": null,
                    "type": "deb", "trusted": true}],
         "packages": ["image-foundry-escape-probe"]}
        """.formatted(OUTPUT.resolve("probe"), repo));

    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(20));

    assertThat(build.get("state").asText()).as(api.log(id)).isEqualTo("SUCCEEDED");
    try (var planted = Files.list(sentinel)) {
      assertThat(planted).isEmpty();
    }
    assertThat(repo.resolve("escape-probe-planted")).doesNotExist();
    Path metadata = Path.of(build.get("metadataPath").asText());
    ImageChecks.verifyPublished(metadata, List.of("image-foundry-escape-probe"), scratch.resolve("probe"), mnt -> {
      List<String> record;
      try {
        record = Files.readAllLines(mnt.resolve("var/log/image-foundry-escape-probe.log"));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      assertThat(record).as("the program ran to its end").endsWith("done");
      List<String> handles = record.stream().filter(line -> line.startsWith("open_by_handle_at ")).toList();
      assertThat(handles).contains("open_by_handle_at /: EPERM", "open_by_handle_at /var/cache/apt/archives: EPERM",
          "open_by_handle_at " + repo + ": EPERM", "open_by_handle_at /proc: EPERM", "open_by_handle_at /dev: EPERM",
          "open_by_handle_at /tmp: EPERM");
      assertThat(handles).as("every handle refused for want of a capability").allMatch(line -> line.endsWith(": EPERM"));
      assertThat(record).contains("mknod-block /tmp/probe-block 8:0: EPERM", "mknod-char /tmp/probe-char 1:1: EPERM",
          "mount tmpfs /tmp/probe-mount: EPERM", "create " + repo + "/escape-probe-planted: EROFS");
      assertThat(record).filteredOn(line -> line.startsWith("sysctl ")).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .startsWith("sysctl /proc/sys/kernel/printk_ratelimit: ").doesNotEndWith(": OK");
      assertThat(record).noneMatch(line -> line.endsWith(": OK") || line.startsWith("plant "));
    });
    ImageChecks.assertNothingLeft(BUILD_ROOT, id, metadata.getParent());
  }
}

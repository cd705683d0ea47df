package org.imagefoundry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.codec.digest.DigestUtils;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.imagefoundry.host.Command;
import org.imagefoundry.host.ProcessCommandRunner;
import org.imagefoundry.spec.DefaultMirror;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ImageChecks;
import org.imagefoundry.testing.LocalRepository;
import org.imagefoundry.testing.RealBuildTest;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.users.Roles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * Issue 22's poisoning, end to end: one build's package script plants a look-alike of Debian's
 * {@code hello} (its file name, the same size, another /usr/bin/hello) in /var/cache/apt/archives;
 * another user's later build of {@code hello} must install Debian's bytes, and the shared package pool
 * must never hold the look-alike.
 */
@RealBuildTest
// a node name of its own: a service started meanwhile on this host under the default name (a test's)
// kills, as its orphans, the running commands tagged with that name
@TestPropertySource(properties = "image-foundry.node-name=package-pool-it")
class PackagePoolIT {

  static final Path OUTPUT = Path.of(RealBuildTest.ROOT, "images", "pool");
  static final Path BUILD_ROOT = Path.of(RealBuildTest.ROOT, "build");
  static final Path CACHE = Path.of(RealBuildTest.ROOT, "data", "cache");
  static final String BUILDER = "poolbuilder";
  static final String BUILDER_PASSWORD = "pool-builder-password";
  static final Duration LIMIT = Duration.ofMinutes(2);

  @LocalServerPort int port;
  @Autowired IdentityService identity;
  @Autowired DefaultMirror mirror;
  @TempDir Path scratch;

  /** hello's entry in the mirror's Packages index of bookworm main. */
  record Entry(String version, String filename, long size, String sha256) {}

  @Test
  void aLookAlikePlantedByOneBuildsScriptNeverReachesAnotherUsersBuild() throws Exception {
    // nothing of an earlier run: no pooled package, list or output, and the builds install packages rather than unpack a layer
    for (String cache : List.of("packages", "lists", "layers", "images")) {
      Requests.delete(CACHE.resolve(cache));
    }
    Requests.delete(OUTPUT);
    Entry hello = helloEntry();
    byte[] real = fetch(mirror.uri().replaceAll("/+$", "") + "/" + hello.filename());
    assertThat(DigestUtils.sha256Hex(real)).isEqualTo(hello.sha256());
    String debName = "hello_" + hello.version().replace(":", "%3a") + "_amd64.deb";
    Path repo = Path.of(RealBuildTest.ROOT, "repos", "planter");
    String planted = "/var/cache/apt/archives/" + debName;
    String postinst = """
        #!/bin/sh
        cp %s %s
        echo "planted: $(wc -c < %s) bytes" > /var/log/image-foundry-planter.log
        exit 0
        """.formatted(repo.resolve("look-alike.deb"), planted, planted);
    LocalRepository.create(repo, List.of(new LocalRepository.Package("image-foundry-planter",
        Map.of("usr/share/image-foundry-planter/note", "plants a look-alike of hello\n"), postinst)));
    byte[] lookAlike = lookAlike(hello, real.length);
    Files.write(repo.resolve("look-alike.deb"), lookAlike);
    assertThat(lookAlike).hasSize(real.length);
    Api admin = new Api("http://localhost:" + port, "admin", RealBuildTest.PASSWORD);

    // build 1, an admin's (only an admin may name a trusted repo): its postinst plants the look-alike
    String planterId = admin.start("""
        {"image_data": {"/": {"uri": "http://images.invalid/planter.img.zst", "format": "ext4", "container": "zstd",
                              "size": "2G"}},
         "output": "%s", "codename": "bookworm", "variant": "minbase",
         "repos": [{"name": "debian", "suite": "bookworm", "section": "main", "priority": null, "type": "deb"},
                   {"name": "local", "uri": "file://%s", "suite": "local", "section": "main", "priority": null,
                    "type": "deb", "trusted": true}],
         "packages": ["image-foundry-planter"]}
        """.formatted(OUTPUT.resolve("planter"), repo));
    JsonNode planter = admin.awaitEnd(planterId, Duration.ofMinutes(20));
    assertThat(planter.get("state").asText()).as(admin.log(planterId)).isEqualTo("SUCCEEDED");
    ImageChecks.verifyPublished(Path.of(planter.get("metadataPath").asText()), List.of("image-foundry-planter"),
        scratch.resolve("planter"), mnt -> assertThat(mnt.resolve("var/log/image-foundry-planter.log")).content()
            .isEqualTo("planted: " + real.length + " bytes\n"));
    assertThat(admin.log(planterId)).contains(debName + " not added to the shared package pool",
        "apt lists kept in the pool: 2 verified file(s)");

    // build 2, another user's, a builder's: hello from Debian
    Api builder = new Api("http://localhost:" + port, createBuilder(), BUILDER_PASSWORD);
    String helloId = builder.start("""
        {"image_data": {"/": {"uri": "http://images.invalid/hello.img.zst", "format": "ext4", "container": "zstd",
                              "size": "2G"}},
         "output": "%s", "codename": "bookworm", "variant": "minbase",
         "repos": [{"name": "debian", "suite": "bookworm", "section": "main", "priority": null, "type": "deb"}],
         "packages": ["hello"]}
        """.formatted(OUTPUT.resolve("hello")));
    JsonNode built = builder.awaitEnd(helloId, Duration.ofMinutes(20));
    assertThat(built.get("state").asText()).as(builder.log(helloId)).isEqualTo("SUCCEEDED");

    String debianHello = DigestUtils.sha256Hex(Files.readAllBytes(extract(real, "debian").resolve("usr/bin/hello")));
    assertThat(DigestUtils.sha256Hex(Files.readAllBytes(extract(lookAlike, "look-alike").resolve("usr/bin/hello"))))
        .isNotEqualTo(debianHello);
    Path metadata = Path.of(built.get("metadataPath").asText());
    ImageChecks.verifyPublished(metadata, List.of("hello"), scratch.resolve("hello"), mnt -> {
      try {
        assertThat(DigestUtils.sha256Hex(Files.readAllBytes(mnt.resolve("usr/bin/hello")))).isEqualTo(debianHello);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    java.util.Set<String> pooled = new java.util.HashSet<>();
    try (var files = Files.walk(CACHE.resolve("packages"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        pooled.add(DigestUtils.sha256Hex(Files.readAllBytes(file)));
      }
    }
    assertThat(pooled).doesNotContain(DigestUtils.sha256Hex(lookAlike)).contains(hello.sha256());
    assertThat(CACHE.resolve("packages/sha256/" + hello.sha256() + ".deb")).hasBinaryContent(real);
    ImageChecks.assertNothingLeft(BUILD_ROOT, helloId, metadata.getParent());

    // build 3, hello and one package more: hello is lent from the pool, a copy of Debian's .deb
    String againId = builder.start("""
        {"image_data": {"/": {"uri": "http://images.invalid/hello-again.img.zst", "format": "ext4", "container": "zstd",
                              "size": "2G"}},
         "output": "%s", "codename": "bookworm", "variant": "minbase",
         "repos": [{"name": "debian", "suite": "bookworm", "section": "main", "priority": null, "type": "deb"}],
         "packages": ["hello", "netbase"]}
        """.formatted(OUTPUT.resolve("hello-again")));
    JsonNode again = builder.awaitEnd(againId, Duration.ofMinutes(20));
    assertThat(again.get("state").asText()).as(builder.log(againId)).isEqualTo("SUCCEEDED");
    assertThat(builder.log(againId)).containsPattern("[1-9][0-9]* of [0-9]+ package\\(s\\) to download lent from the shared package pool");
    ImageChecks.verifyPublished(Path.of(again.get("metadataPath").asText()), List.of("hello", "netbase"),
        scratch.resolve("hello-again"), mnt -> {
          try {
            assertThat(DigestUtils.sha256Hex(Files.readAllBytes(mnt.resolve("usr/bin/hello")))).isEqualTo(debianHello);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  String createBuilder() {
    if (identity.createUserQuery().userId(BUILDER).count() == 0) {
      User user = identity.newUser(BUILDER);
      user.setPassword(BUILDER_PASSWORD);
      identity.saveUser(user);
      identity.createMembership(BUILDER, Roles.BUILDERS);
    }
    return BUILDER;
  }

  /** hello's stanza of bookworm main's Packages index on the default mirror. */
  Entry helloEntry() throws IOException {
    byte[] index = fetch(mirror.uri().replaceAll("/+$", "") + "/dists/bookworm/main/binary-amd64/Packages.gz");
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(index))) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      for (String stanza : text.split("\n\n")) {
        if (stanza.startsWith("Package: hello\n")) {
          Map<String, String> fields = new HashMap<>();
          stanza.lines().filter(l -> !l.startsWith(" ") && l.contains(": "))
              .forEach(l -> fields.put(l.substring(0, l.indexOf(':')), l.substring(l.indexOf(':') + 2)));
          return new Entry(fields.get("Version"), fields.get("Filename"), Long.parseLong(fields.get("Size")),
              fields.get("SHA256"));
        }
      }
    }
    throw new IllegalStateException("no hello in the mirror's bookworm main");
  }

  /**
   * A package named hello of the same version whose /usr/bin/hello prints something else, made with
   * dpkg-deb and padded to {@code size} with an ar member after data.tar, which dpkg and apt ignore.
   */
  byte[] lookAlike(Entry hello, long size) throws IOException {
    Path tree = scratch.resolve("look-alike");
    Files.createDirectories(tree.resolve("DEBIAN"));
    Files.createDirectories(tree.resolve("usr/bin"));
    Files.writeString(tree.resolve("DEBIAN/control"), """
        Package: hello
        Version: %s
        Architecture: amd64
        Maintainer: Image Foundry tests <tests@image-foundry.invalid>
        Description: not Debian's hello
        """.formatted(hello.version()));
    Path program = Files.writeString(tree.resolve("usr/bin/hello"), "#!/bin/sh\necho 'poisoned by another build'\n");
    Files.setPosixFilePermissions(program, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path deb = scratch.resolve("look-alike-unpadded.deb");
    new ProcessCommandRunner().run(Command.of(LIMIT, "dpkg-deb", "--root-owner-group", "-Zgzip", "--build",
        tree.toString(), deb.toString()));
    byte[] built = Files.readAllBytes(deb);
    long missing = size - built.length;
    assertThat(missing).as("room for a padding member").isGreaterThan(61);
    // an ar member: a 60-byte header, then the data, padded to an even length
    long data = (missing - 60) % 2 == 0 ? missing - 60 : missing - 61;
    var padded = new java.io.ByteArrayOutputStream();
    padded.write(built);
    padded.write(String.format("%-16s%-12s%-6s%-6s%-8s%-10s`\n", "_padding", "0", "0", "0", "100644", data)
        .getBytes(StandardCharsets.US_ASCII));
    padded.write(new byte[(int) data]);
    if (data % 2 == 1) {
      padded.write('\n');
    }
    return padded.toByteArray();
  }

  /** The package's files, unpacked by dpkg-deb. */
  Path extract(byte[] deb, String name) throws IOException {
    Path file = Files.write(scratch.resolve(name + ".deb"), deb);
    Path dir = scratch.resolve(name + "-files");
    new ProcessCommandRunner().run(Command.of(LIMIT, "dpkg-deb", "-x", file.toString(), dir.toString()));
    return dir;
  }

  static byte[] fetch(String uri) {
    try {
      HttpResponse<byte[]> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build()
          .send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofMinutes(5)).GET().build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(response.statusCode()).as("GET " + uri).isEqualTo(200);
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

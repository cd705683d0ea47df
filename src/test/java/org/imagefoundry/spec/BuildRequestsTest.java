package org.imagefoundry.spec;

import org.imagefoundry.host.Binfmt;

import org.imagefoundry.rules.Problem;
import org.imagefoundry.users.Caller;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.codec.digest.Crypt;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildRequestsTest {

  static final Caller ADMIN = new Caller("admin", true);

  @TempDir Path dir;

  BuildRequests requests() throws Exception {
    Path apt = dir.resolve("apt");
    Files.createDirectories(apt.resolve("sources.list.d"));
    Files.writeString(apt.resolve("sources.list.d/archive.sources"),
        "Types: deb\nURIs: http://127.0.0.1:9/debian\nSuites: bookworm bookworm-updates\nComponents: main\n");
    FoundrySettings settings = Settings.with(dir.resolve("build"), List.of(dir.resolve("images")));
    DefaultMirror mirror = new DefaultMirror(settings, apt);
    // the host runs arm64 programs under qemu-user
    Files.createDirectories(dir.resolve("binfmt"));
    Files.writeString(dir.resolve("binfmt/qemu-aarch64"), "enabled\nflags: POF\n");
    return new BuildRequests(new SpecValidator(settings, new RepoHosts(settings, mirror), new Binfmt(dir.resolve("binfmt"))),
        mirror);
  }

  String request(String extra) {
    return """
        {"image_data": {"/": {"uri": "http://h/env_1.img.gz", "format": "ext4", "container": "gzip"}},
         "output": "%s", "codename": "bookworm", "packages": ["less"]%s}
        """.formatted(dir.resolve("images"), extra);
  }

  @Test
  void aTrustedRepoStaysTrustedAndIsAnotherRequest() throws Exception {
    BuildRequests requests = requests();
    String repos = ", \"repos\": [{\"name\": \"debian\"}, {\"name\": \"local\", \"uri\": \"http://127.0.0.1:9/local\","
        + " \"suite\": \"local\", \"trusted\": %s}]";

    BuildSpec trusted = requests.prepare(request(repos.formatted("true")), ADMIN);
    BuildSpec checked = requests.prepare(request(repos.formatted("false")), ADMIN);

    assertThat(trusted.repos().get(1).skipsSignatureChecks()).isTrue();
    assertThat(trusted.repos().get(0).skipsSignatureChecks()).isFalse();
    assertThat(checked.repos().get(1).skipsSignatureChecks()).isFalse();
    assertThat(BuildRequests.fromJson(BuildRequests.toJson(trusted)).repos().get(1).trusted()).isTrue();
    assertThat(BuildRequests.hash(trusted)).isNotEqualTo(BuildRequests.hash(checked));
  }

  @Test
  void fillsInTheDefaultMirrorSuiteSectionAndSize() throws Exception {
    BuildSpec spec = requests().prepare(request(""), ADMIN);

    assertThat(spec.repos()).singleElement().satisfies(repo -> {
      assertThat(repo.uri()).isEqualTo("http://127.0.0.1:9/debian");
      assertThat(repo.suite()).isEqualTo("bookworm");
      assertThat(repo.section()).isEqualTo("main");
      assertThat(repo.type()).isEqualTo("deb");
    });
    assertThat(spec.imageData().get("/").size()).isEqualTo(8L << 30);
    assertThat(spec.metadataFile()).isEqualTo(dir.resolve("images/env_1.yaml"));
  }

  @Test
  void theArchitectureIsAmd64UnlessNamedAndAnArm64DiskBootsUefiUnlessNamed() throws Exception {
    BuildRequests requests = requests();
    String disk = ", \"architecture\": \"arm64\", \"disk\": {\"name\": \"d.qcow2\", \"format\": \"qcow2\"}";

    BuildSpec amd64 = requests.prepare(request(""), ADMIN);
    BuildSpec arm64 = requests.prepare(request(disk).replace("[\"less\"]",
        "[\"less\", \"linux-image-arm64\", \"grub-efi-arm64-bin\"]"), ADMIN);

    assertThat(amd64.architecture()).isEqualTo("amd64");
    assertThat(amd64.arch()).isEqualTo(Architecture.AMD64);
    assertThat(arm64.arch()).isEqualTo(Architecture.ARM64);
    assertThat(arm64.disk().boot()).isEqualTo("uefi");
    assertThat(arm64.disk().partitionTable()).isEqualTo("gpt");
    // the architecture is part of what the request hashes to: no cache or skip confuses the two
    assertThat(BuildRequests.hash(requests.prepare(request(", \"architecture\": \"arm64\""), ADMIN)))
        .isNotEqualTo(BuildRequests.hash(amd64));
  }

  @Test
  void sizesAreReadLikeTruncate() {
    assertThat(Sizes.parse("1G")).isEqualTo(1L << 30);
    assertThat(Sizes.parse("8192M")).isEqualTo(8L << 30);
    assertThat(Sizes.parse("2GB")).isEqualTo(2_000_000_000L);
    assertThat(Sizes.parse("1GiB")).isEqualTo(1L << 30);
    assertThat(Sizes.parse("4096")).isEqualTo(4096L);
    assertThat(Sizes.parse("1X")).isNull();
    assertThat(Sizes.parse("-1G")).isNull();
    assertThat(Sizes.parse("99999999999999T")).isNull();
  }

  @Test
  void aPlainRootPasswordIsStoredOnlyAsSha512CryptHash() throws Exception {
    BuildSpec spec = requests().prepare(request(", \"root_password\": \"s3cret\""), ADMIN);

    assertThat(spec.rootPassword()).isNull();
    assertThat(spec.hashedRootPassword()).startsWith("$6$");
    assertThat(Crypt.crypt("s3cret", spec.hashedRootPassword())).isEqualTo(spec.hashedRootPassword());
    assertThat(BuildRequests.toJson(spec)).doesNotContain("s3cret");
  }

  @Test
  void identicalRequestsHashEquallyAndAnyChangeChangesTheHash() throws Exception {
    BuildRequests requests = requests();
    String a = BuildRequests.hash(requests.prepare(request(", \"root_password\": \"x\""), ADMIN));
    String b = BuildRequests.hash(requests.prepare(request(", \"root_password\": \"x\""), ADMIN));
    String c = BuildRequests.hash(requests.prepare(request(", \"root_password\": \"y\""), ADMIN));
    String d = BuildRequests.hash(requests.prepare(request(", \"root_password\": \"x\", \"variant\": \"minbase\""), ADMIN));

    assertThat(a).isEqualTo(b).isNotEqualTo(c).isNotEqualTo(d);
  }

  @Test
  void everyProblemIsReportedAtOnceWithItsField() throws Exception {
    String bad = """
        {"image_data": {"/boot": {"uri": "http://h/../x", "format": "btrfs", "container": "rar"}},
         "output": "/etc", "codename": "book worm", "packages": ["less; rm -rf /"],
         "repos": [{"name": "d", "uri": "ftp://h/debian", "priority": "high"}], "colour": "blue"}
        """;
    assertThatThrownBy(() -> requests().prepare(bad, ADMIN)).isInstanceOfSatisfying(InvalidRequestException.class, e ->
        assertThat(e.problems()).extracting(Problem::field).contains("image_data", "image_data./boot.uri",
            "image_data./boot.format", "image_data./boot.container", "output", "codename", "packages[0]",
            "repos[0].uri", "repos[0].priority", "colour"));
  }

  @Test
  void duplicateKeysAndBrokenJsonAreProblemsToo() throws Exception {
    BuildRequests requests = requests();
    assertThatThrownBy(() -> requests.prepare("{\"image_data\": {\"/\": {}, \"/\": {}}}", ADMIN))
        .isInstanceOfSatisfying(InvalidRequestException.class, e ->
            assertThat(e.problems().get(0).message()).contains("Duplicate field"));
    assertThatThrownBy(() -> requests.prepare("{\"image_data\": ", ADMIN)).isInstanceOf(InvalidRequestException.class);
  }
}

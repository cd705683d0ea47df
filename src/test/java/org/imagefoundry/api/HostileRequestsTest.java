package org.imagefoundry.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.camunda.bpm.engine.RuntimeService;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ProcessTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Hostile and malformed requests: each is a 400 naming the offending field, and none starts a process
 * or creates a file.
 */
@ProcessTest
class HostileRequestsTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @LocalServerPort int port;
  @Autowired RuntimeService runtime;
  @Autowired FoundrySettings settings;
  Api api;

  @BeforeEach
  void setUp() {
    api = new Api("http://localhost:" + port, "admin", ProcessTest.ADMIN_PASSWORD);
  }

  static ObjectNode valid() {
    try {
      return (ObjectNode) JSON.readTree("""
          {"image_data": {"/": {"uri": "http://h/root.img.gz", "format": "ext4", "container": "gzip"},
                          "/var": {"uri": "http://h/var.img.gz", "format": "ext4", "container": "gzip", "size": "1G"}},
           "output": "%s/hostile", "codename": "bookworm",
           "repos": [{"name": "debian", "suite": "bookworm", "section": "main", "priority": null, "type": "deb"}],
           "packages": ["less"]}
          """.formatted(System.getProperty("java.io.tmpdir") + "/image-foundry-process-test/images"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Arguments bad(String name, String field, Consumer<ObjectNode> change) {
    ObjectNode request = valid();
    change.accept(request);
    return Arguments.of(name, field, request.toString());
  }

  static Arguments raw(String name, String field, String body) {
    return Arguments.of(name, field, body);
  }

  static ObjectNode root(ObjectNode r) {
    return (ObjectNode) r.get("image_data").get("/");
  }

  static ObjectNode repo(ObjectNode r) {
    return (ObjectNode) r.get("repos").get(0);
  }

  static ArrayNode packages(ObjectNode r, String... names) {
    ArrayNode list = r.putArray("packages");
    for (String name : names) {
      list.add(name);
    }
    return list;
  }

  static Stream<Arguments> requests() {
    List<Arguments> cases = new ArrayList<>(List.of(
        // paths: output
        bad("output traversal", "output", r -> r.put("output", "/var/lib/image-foundry/images/../../../etc")),
        bad("output outside the roots", "output", r -> r.put("output", "/etc")),
        bad("output relative", "output", r -> r.put("output", "images")),
        bad("output through a symlink out", "output", r -> r.put("output", "/proc/self/root/etc")),
        bad("output with a NUL", "output", r -> r.put("output", "/var/lib/image-foundry/images/a\u0000b")),
        bad("output not a string", "output", r -> r.put("output", 42)),
        bad("output missing", "output", r -> r.remove("output")),
        bad("output empty", "output", r -> r.put("output", "")),
        bad("output with dot segment", "output", r -> r.put("output", "/var/lib/image-foundry/images/./x")),
        // paths: image names
        bad("image name traversal", "image_data./.uri", r -> root(r).put("uri", "http://h/../../etc/passwd")),
        bad("image name hidden", "image_data./.uri", r -> root(r).put("uri", "http://h/.bashrc")),
        bad("image name with a space", "image_data./.uri", r -> root(r).put("uri", "http://h/a%20b.img")),
        bad("image name empty", "image_data./.uri", r -> root(r).put("uri", "http://h/")),
        bad("image uri missing", "image_data./.uri", r -> root(r).remove("uri")),
        bad("image uri not a URI", "image_data./.uri", r -> root(r).put("uri", "http://h/x y|z")),
        bad("two images one file", "image_data./var.uri", r -> ((ObjectNode) r.get("image_data").get("/var"))
            .put("uri", "http://h/root.img.gz")),
        bad("image named like the metadata", "image_data", r -> ((ObjectNode) r.get("image_data").get("/var"))
            .put("uri", "http://h/root.yaml")),
        // mount points
        bad("missing /", "image_data", r -> ((ObjectNode) r.get("image_data")).remove("/")),
        bad("mount point traversal", "image_data./var/../etc", r -> ((ObjectNode) r.get("image_data"))
            .set("/var/../etc", root(r).deepCopy().put("uri", "http://h/x.img"))),
        bad("mount point relative", "image_data.var", r -> ((ObjectNode) r.get("image_data"))
            .set("var", root(r).deepCopy().put("uri", "http://h/x.img"))),
        bad("mount point trailing slash", "image_data./srv/", r -> ((ObjectNode) r.get("image_data"))
            .set("/srv/", root(r).deepCopy().put("uri", "http://h/x.img"))),
        bad("mount point with shell", "image_data./srv;reboot", r -> ((ObjectNode) r.get("image_data"))
            .set("/srv;reboot", root(r).deepCopy().put("uri", "http://h/x.img"))),
        bad("mount point swap", "image_data.swap", r -> ((ObjectNode) r.get("image_data"))
            .set("swap", root(r).deepCopy().put("uri", "http://h/x.img"))),
        bad("image_data empty", "image_data", r -> r.putObject("image_data")),
        bad("image_data a list", "image_data", r -> r.putArray("image_data")),
        raw("duplicate mount points", "/", valid().toString().replaceFirst("\\{\"/\":",
            "{\"/\": {\"uri\": \"http://h/a.img\", \"format\": \"ext4\", \"container\": \"raw\"}, \"/\":")),
        // formats, containers, options, labels, sizes
        bad("unknown filesystem", "image_data./.format", r -> root(r).put("format", "btrfs")),
        bad("filesystem with shell", "image_data./.format", r -> root(r).put("format", "ext4;id")),
        bad("format missing", "image_data./.format", r -> root(r).remove("format")),
        bad("unknown container", "image_data./.container", r -> root(r).put("container", "rar")),
        bad("mkfs option with shell", "image_data./.options[0]", r -> root(r).putArray("options").add("-O $(reboot)")),
        bad("mkfs option with space", "image_data./.options[0]", r -> root(r).putArray("options").add("-E a b")),
        bad("mkfs options not a list", "image_data./.options", r -> root(r).put("options", "-F")),
        bad("label too long", "image_data./.label", r -> root(r).put("label", "x".repeat(40))),
        bad("label with shell", "image_data./.label", r -> root(r).put("label", "a`id`")),
        bad("negative size", "image_data./.size", r -> root(r).put("size", -1)),
        bad("zero size", "image_data./.size", r -> root(r).put("size", 0)),
        bad("huge size", "image_data./.size", r -> root(r).put("size", "999999T")),
        bad("size over the limit", "image_data./.size", r -> root(r).put("size", "100G")),
        bad("size garbage", "image_data./.size", r -> root(r).put("size", "8 GB; rm")),
        bad("size a float", "image_data./.size", r -> root(r).put("size", 1.5)),
        bad("size overflow", "image_data./.size", r -> root(r).put("size", new java.math.BigInteger("99999999999999999999999"))),
        bad("unknown image field", "image_data./.mountpoint", r -> root(r).put("mountpoint", "/")),
        // suites, sections, repos
        bad("codename with shell", "codename", r -> r.put("codename", "bookworm; reboot")),
        bad("codename traversal", "codename", r -> r.put("codename", "../../etc")),
        bad("codename missing", "codename", r -> r.remove("codename")),
        bad("codename a number", "codename", r -> r.put("codename", 12)),
        bad("suite with shell", "repos[0].suite", r -> repo(r).put("suite", "bookworm`id`")),
        bad("suite with space", "repos[0].suite", r -> repo(r).put("suite", "bookworm main")),
        bad("section with shell", "repos[0].section", r -> repo(r).put("section", "main; id")),
        bad("repo name traversal", "repos[0].name", r -> repo(r).put("name", "../sources")),
        bad("repo name with slash", "repos[0].name", r -> repo(r).put("name", "a/b")),
        bad("two repos one name", "repos[1].name", r -> ((ArrayNode) r.get("repos")).add(repo(r).deepCopy())),
        bad("file:///etc mirror", "repos[0].uri", r -> repo(r).put("uri", "file:///etc")),
        bad("ftp mirror", "repos[0].uri", r -> repo(r).put("uri", "ftp://h/debian")),
        bad("javascript mirror", "repos[0].uri", r -> repo(r).put("uri", "javascript:alert(1)")),
        bad("mirror with a quote", "repos[0].uri", r -> repo(r).put("uri", "http://h/debian\" trusted=yes")),
        bad("mirror with credentials", "repos[0].uri", r -> repo(r).put("uri", "http://u:p@h/debian")),
        bad("mirror without host", "repos[0].uri", r -> repo(r).put("uri", "http:///debian")),
        bad("priority not a number", "repos[0].priority", r -> repo(r).put("priority", "high")),
        bad("priority huge", "repos[0].priority", r -> repo(r).put("priority", 99999999)),
        bad("type deb-src", "repos[0].type", r -> repo(r).put("type", "deb-src")),
        bad("trusted a string", "repos[0].trusted", r -> repo(r).put("trusted", "yes")),
        bad("keyring outside keyrings", "repos[0].keyring", r -> repo(r).put("keyring", "/etc/shadow")),
        bad("keyring traversal", "repos[0].keyring", r -> repo(r).put("keyring", "/usr/share/keyrings/../../../etc/shadow")),
        bad("repos empty", "repos", r -> r.putArray("repos")),
        bad("repos an object", "repos", r -> r.putObject("repos")),
        bad("unknown repo field", "repos[0].options", r -> repo(r).put("options", "trusted=yes")),
        // packages
        bad("package with shell", "packages[0]", r -> packages(r, "less; rm -rf /")),
        bad("package with backticks", "packages[0]", r -> packages(r, "`reboot`")),
        bad("package option injection", "packages[0]", r -> packages(r, "-o=APT::Get::AllowUnauthenticated=1")),
        bad("package upper case", "packages[0]", r -> packages(r, "Less")),
        bad("package one letter", "packages[0]", r -> packages(r, "a")),
        bad("package as a pattern", "packages[0]", r -> packages(r, "a.+")),
        bad("package as a removal", "packages[1]", r -> packages(r, "less", "openssh-server-")),
        bad("package from a release", "packages[0]", r -> packages(r, "less/bookworm-backports")),
        bad("mkfs option copying a host directory", "image_data./.options[0]", r -> root(r).putArray("options")
            .add("-d").add("/var/lib/image-foundry/data")),
        bad("mkfs option writing a host file", "image_data./.options[0]", r -> root(r).putArray("options")
            .add("-z").add("undo")),
        bad("mkfs feature unknown", "image_data./.options[1]", r -> root(r).putArray("options")
            .add("-O").add("journal_dev")),
        bad("package with space", "packages[0]", r -> packages(r, "less vim")),
        bad("package version with shell", "packages[0]", r -> packages(r, "less=1.0;id")),
        bad("packages a string", "packages", r -> r.put("packages", "less")),
        bad("package a number", "packages[0]", r -> r.putArray("packages").add(7)),
        bad("too many packages", "packages", r -> {
          ArrayNode list = r.putArray("packages");
          for (int i = 0; i < 1001; i++) {
            list.add("pkg" + i);
          }
        }),
        // passwords, proxies, the rest
        bad("both passwords", "root_password", r -> r.put("root_password", "a").put("hashed_root_password", "$6$saltsalt$x")),
        bad("password with a newline", "root_password", r -> r.put("root_password", "a\nroot::0:0")),
        bad("hash with a colon", "hashed_root_password", r -> r.put("hashed_root_password", "$6$salt:x:0:0")),
        bad("hash not crypt", "hashed_root_password", r -> r.put("hashed_root_password", "plaintext")),
        bad("proxy with shell", "proxies.protocols.http", r -> r.putObject("proxies").putObject("protocols")
            .put("http", "http://p:3128\";Dir::Etc \"/tmp")),
        bad("proxy for ftp", "proxies.protocols.ftp", r -> r.putObject("proxies").putObject("protocols")
            .put("ftp", "http://p:3128")),
        bad("direct host with shell", "proxies.direct_repo_addr_list[0]", r -> r.putObject("proxies")
            .putArray("direct_repo_addr_list").add("10.0.0.1; id")),
        bad("unknown top-level field", "hooks", r -> r.putArray("hooks").add("rm -rf /")),
        bad("unknown variant", "variant", r -> r.put("variant", "fakechroot")),
        raw("not JSON", "", "{\"image_data\": "),
        raw("a JSON list", "", "[]"),
        raw("a JSON string", "", "\"build me\""),
        raw("trailing garbage", "", valid() + " {}")));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void isRefusedWithItsFieldNamedAndNothingStarted(String name, String field, String body) throws IOException {
    long processes = runtime.createProcessInstanceQuery().count();
    long files = files();

    Api.Response response = api.post("/api/builds", body);

    assertThat(response.status()).as(response.body()).isEqualTo(400);
    JsonNode problems = response.json().get("problems");
    assertThat(problems).as(response.body()).isNotEmpty();
    assertThat(problems.findValuesAsText("field")).as(response.body()).contains(field);
    assertThat(runtime.createProcessInstanceQuery().count()).isEqualTo(processes);
    assertThat(files()).isEqualTo(files);
  }

  @org.junit.jupiter.api.Test
  void thereAreAtLeastSixtyOfThem() {
    assertThat(requests().count()).isGreaterThanOrEqualTo(60);
  }

  long files() throws IOException {
    long count = 0;
    for (Path dir : Stream.concat(Stream.of(settings.buildRoot()), settings.allowedOutputRoots().stream()).toList()) {
      if (Files.exists(dir)) {
        try (Stream<Path> walk = Files.walk(dir)) {
          count += walk.count();
        }
      }
    }
    return count;
  }
}

package org.imagefoundry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.camunda.bpm.engine.RuntimeService;
import org.imagefoundry.spec.DefaultMirror;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ImageChecks;
import org.imagefoundry.testing.RealBuildTest;
import org.imagefoundry.testing.Requests;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Real builds that fail, are cancelled, or meet a busy chroot: each ends as it should and leaves the host
 * holding nothing of it. The builds run side by side.
 */
@RealBuildTest
@Execution(ExecutionMode.CONCURRENT)
class FailureIT {

  static final Path OUTPUT = Path.of(RealBuildTest.ROOT, "images", "failures");
  static final Path BUILD_ROOT = Path.of(RealBuildTest.ROOT, "build");

  @LocalServerPort int port;
  @Autowired RuntimeService runtime;
  @Autowired DefaultMirror defaultMirror;
  @TempDir Path scratch;
  Api api;

  /**
   * An image an earlier run left would end a build here SKIPPED, and a package layer or stored images of
   * the same content it left would skip installPackages: each test builds its own image afresh.
   */
  @BeforeAll
  static void removeEarlierOutputs() {
    Requests.delete(OUTPUT);
    Requests.delete(Path.of(RealBuildTest.ROOT, "data", "cache", "layers"));
    Requests.delete(Path.of(RealBuildTest.ROOT, "data", "cache", "images"));
  }

  @BeforeEach
  void setUp() {
    api = new Api("http://localhost:" + port, "admin", RealBuildTest.PASSWORD);
  }

  static String request(String name, String mirror, String packages) {
    return request(name, mirror, packages, false);
  }

  /** A trusted base repo is a different base-tree cache key: debootstrap then really runs. */
  static String request(String name, String mirror, String packages, boolean trusted) {
    String uri = (mirror == null ? "" : "\"uri\": \"" + mirror + "\", ") + (trusted ? "\"trusted\": true, " : "");
    return """
        {"image_data": {"/": {"uri": "http://images.invalid/%s.img.zst", "format": "ext4", "container": "zstd", "size": "2G"}},
         "output": "%s", "codename": "bookworm", "variant": "minbase",
         "repos": [{"name": "debian", %s"suite": "bookworm", "section": "main"}],
         "packages": %s}
        """.formatted(name, OUTPUT.resolve(name), uri, packages);
  }

  @Test
  void aPackageThatDoesNotExistFailsTheBuildWithAptsMessage() {
    String id = api.start(request("missing-package", null, "[\"no-such-package-image-foundry\"]"));

    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(20));

    assertThat(build.get("state").asText()).as(api.log(id)).isEqualTo("FAILED");
    assertThat(build.get("error").asText()).startsWith("installPackages: ")
        .contains("Unable to locate package no-such-package-image-foundry");
    assertThat(api.log(id)).contains("undoMountPseudoFilesystems", "sweepAfterFailure");
    ImageChecks.assertNothingLeft(BUILD_ROOT, id, OUTPUT.resolve("missing-package"));
  }

  @Test
  void aBuildCancelledDuringDebootstrapEndsCancelledAndReleasesEverything() {
    String id = api.start(request("cancelled", null, "[]", true));
    api.awaitState(id, Duration.ofMinutes(5), Set.of("RUNNING"));
    awaitPhase(id, "debootstrap");
    Api.sleepSeconds(5); // debootstrap is downloading or unpacking now

    assertThat(api.post("/api/builds/" + id + "/cancel", "").status()).isEqualTo(202);
    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(5));

    assertThat(build.get("state").asText()).as(api.log(id)).isEqualTo("CANCELLED");
    assertThat(build.get("error").asText()).isEqualTo("cancelled by admin through the API");
    ImageChecks.assertNothingLeft(BUILD_ROOT, id, OUTPUT.resolve("cancelled"));
    assertThat(api.post("/api/builds/" + id + "/cancel", "").status()).isEqualTo(409);
  }

  @Test
  void aProcessLeftRunningInTheChrootDoesNotKeepItsFilesystemsBusy() throws Exception {
    // a package set of this test's own: a package layer another class stored meanwhile would skip installPackages
    String id = api.start(request("busy", null, "[\"less\", \"psmisc\"]"));
    awaitPhase(id, "installPackages");
    Path root = BUILD_ROOT.resolve(id).resolve("root");
    // a daemon as a package might leave behind, deaf to SIGTERM, with its cwd and root in the chroot
    Process daemon = new ProcessBuilder("chroot", root.toString(), "/bin/sh", "-c", "trap '' TERM; exec sleep 600")
        .redirectErrorStream(true).start();

    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(20));

    assertThat(build.get("state").asText()).as(api.log(id)).isEqualTo("SUCCEEDED");
    assertThat(daemon.isAlive()).isFalse();
    assertThat(api.log(id)).contains("process(es)");
    ImageChecks.verifyPublished(Path.of(build.get("metadataPath").asText()), List.of("less"), scratch);
    ImageChecks.assertNothingLeft(BUILD_ROOT, id, OUTPUT.resolve("busy"));
  }

  @Test
  void anUnreachableMirrorIsAnIncidentNamingTheCommandAndAFixedMirrorPlusRetrySucceeds() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String id = api.start(request("unreachable", "http://127.0.0.1:" + closedPort + "/debian", "[]"));

    JsonNode incident = api.awaitState(id, Duration.ofMinutes(10), Set.of("INCIDENT"));
    assertThat(incident.get("phase").asText()).isEqualTo("debootstrap");
    String pid = runtime.createProcessInstanceQuery().processInstanceBusinessKey(id).singleResult().getId();
    String message = runtime.createIncidentQuery().processInstanceId(pid).singleResult().getIncidentMessage();
    assertThat(message).startsWith("debootstrap: `nsenter ").contains(" mmdebstrap ", "127.0.0.1:" + closedPort)
        .containsPattern("` exited with code [1-9][0-9]*; last output:\n");
    assertThat(BUILD_ROOT.resolve(id).resolve("root")).exists(); // the build keeps its resources for the retry

    runtime.setVariable(pid, "mirror", defaultMirror.uri());
    assertThat(api.retry(id, Duration.ofMinutes(20)).status()).isEqualTo(202);
    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(20));

    assertThat(build.get("state").asText()).as(api.log(id)).isEqualTo("SUCCEEDED");
    ImageChecks.verifyPublished(Path.of(build.get("metadataPath").asText()), List.of(), scratch);
    ImageChecks.assertNothingLeft(BUILD_ROOT, id, OUTPUT.resolve("unreachable"));
  }

  @Test
  void aBaseRepoWhoseReleaseSignatureDoesNotVerifyFailsTheBuildNamingTheRepo() {
    // Debian's removed keys signed none of bookworm's Release files: apt cannot verify them with these
    String keyring = "/usr/share/keyrings/debian-archive-removed-keys.gpg";
    String request = request("bad-signature", null, "[]").replace("\"section\": \"main\"}",
        "\"section\": \"main\", \"keyring\": \"" + keyring + "\"}");
    String id = api.start(request);

    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(20));

    assertThat(build.get("state").asText()).as(api.log(id)).isEqualTo("FAILED");
    assertThat(build.get("error").asText()).startsWith("debootstrap: ")
        .contains("suite bookworm of repo " + defaultMirror.uri(), keyring, "signature");
    ImageChecks.assertNothingLeft(BUILD_ROOT, id, OUTPUT.resolve("bad-signature"));
  }

  void awaitPhase(String id, String phase) {
    for (int i = 0; i < 600; i++) {
      JsonNode build = api.build(id);
      if (phase.equals(build.path("phase").asText()) || Api.ENDED.contains(build.get("state").asText())) {
        assertThat(build.path("phase").asText()).as(build.toString()).isEqualTo(phase);
        return;
      }
      Api.sleepSeconds(1);
    }
    throw new AssertionError("build " + id + " never reached " + phase);
  }
}

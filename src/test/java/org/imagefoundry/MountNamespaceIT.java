package org.imagefoundry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ImageChecks;
import org.imagefoundry.testing.LocalRepository;
import org.imagefoundry.testing.NamespaceHolder;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.testing.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Another process takes a mount namespace of its own in the middle of a build ({@code unshare -m} with a
 * sleep), while the build is held in installPackages by the gate package: the filesystems, the chroot's
 * pseudo filesystems and the local repository's bind mount are all mounted then. Made on the host, the
 * holder gets no copy of the build's mounts, which live in the service's own namespace (scripts/service):
 * the build succeeds, e2fsck has nothing to repair, and the image holds what a build without it holds.
 * Made inside the service's namespace, its copy keeps the filesystem alive after unmount: the build stops
 * in an incident naming it before anything reads the image, and succeeds when retried after it has ended.
 * Either way nothing of the build is left. (The build is held, not caught by timing: postInstall lasts
 * some 70 ms, and a holder made after unmount would test nothing.)
 */
@Isolated("the service kills orphaned build commands host-wide when it starts")
class MountNamespaceIT {

  static final Path ROOT = Path.of("/var/tmp/image-foundry-namespaces");

  static ServiceProcess service;
  /** Package, version and status of every package in the image of the same build without a holder. */
  static List<String> withoutHolder;

  @TempDir Path scratch;

  @BeforeAll
  static void startServiceAndBuildWithoutHolder(@TempDir Path scratch) {
    Requests.delete(ROOT);
    service = new ServiceProcess(null, ROOT, "namespace-test-node", "--image-foundry.timeouts.filesystem-release=PT5S",
        "--image-foundry.allowed-file-repo-roots=" + ROOT.resolve("repos"));
    service.start();
    Api api = service.api();
    Path repo = repo("without-holder");
    LocalRepository.openGate(repo);
    String id = api.start(Requests.gated("without-holder", images(), repo));
    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(20));
    assertThat(build.get("state").asText()).as(api.log(id)).isEqualTo("SUCCEEDED");
    withoutHolder = packagesIn(build, scratch);
  }

  @AfterAll
  static void stopService() {
    if (service != null) {
      service.stop();
    }
  }

  static Path images() {
    return ROOT.resolve("images");
  }

  static Path output(String name) {
    return images().resolve(name);
  }

  /** A local repository with the gate package, its gate closed. */
  static Path repo(String name) {
    Path repo = ROOT.resolve("repos").resolve(name);
    LocalRepository.createWithGate(repo);
    return repo;
  }

  /** Starts a build and returns its id once the gate holds it in installPackages. */
  static String startHeld(Api api, String name, Path repo) {
    String id = api.start(Requests.gated(name, images(), repo));
    awaitLog(api, id, LocalRepository.GATE_WAITING);
    assertThat(api.build(id).get("phase").asText()).isEqualTo("installPackages");
    return id;
  }

  @Test
  void aNamespaceMadeOnTheHostGetsNoCopyAndTheImageNeedsNoRepair() {
    Api api = service.api();
    Path repo = repo("host");
    String id = startHeld(api, "host", repo);
    Path workspace = ROOT.resolve("build").resolve(id);

    JsonNode build;
    try (NamespaceHolder holder = NamespaceHolder.onTheHost()) {
      assertThat(service.mountinfo()).as("the service's mounts").contains(workspace.resolve("root").toString());
      assertThat(holder.mountinfo()).as("the holder's copy of the mounts").doesNotContain(workspace.toString());
      LocalRepository.openGate(repo);

      build = api.awaitEnd(id, Duration.ofMinutes(20));

      assertThat(holder.isAlive()).as("the holder kept its namespace throughout").isTrue();
    }
    String log = api.log(id);
    assertThat(build.get("state").asText()).as(log).isEqualTo("SUCCEEDED");
    assertThat(log).contains("$ e2fsck -f -n ").doesNotContain("Fix?").doesNotContain("FILE SYSTEM WAS MODIFIED")
        .doesNotContain("still bound to");
    assertThat(packagesIn(build, scratch)).isEqualTo(withoutHolder);
    ImageChecks.assertNothingLeft(ROOT.resolve("build"), id, output("host"));
  }

  @Test
  void aNamespaceMadeInsideTheServicesIsAnIncidentNamingItAndARetryAfterItEndedSucceeds() {
    Api api = service.api();
    Path repo = repo("inside");
    String id = startHeld(api, "inside", repo);
    Path workspace = ROOT.resolve("build").resolve(id);

    try (NamespaceHolder holder = NamespaceHolder.inTheNamespaceOf(service.pid())) {
      assertThat(holder.mountinfo()).as("the holder's copy of the mounts").contains(workspace.resolve("root").toString());
      LocalRepository.openGate(repo);
      Set<String> stopped = new HashSet<>(Api.ENDED);
      stopped.add("INCIDENT");

      JsonNode incident = api.awaitState(id, Duration.ofMinutes(20), stopped);

      assertThat(incident.get("state").asText()).as(api.log(id)).isEqualTo("INCIDENT");
      assertThat(incident.get("phase").asText()).isEqualTo("detachLoopDevices");
      assertThat(incidentMessage(api, id)).startsWith("detachLoopDevices: ")
          .contains("still lives in another mount namespace")
          .contains("pid " + holder.pid() + " (sleep 600)");
      assertThat(api.log(id)).doesNotContain("$ e2fsck").doesNotContain("phase shrinkImages started");
    }

    assertThat(api.retry(id, Duration.ofMinutes(20)).status()).isEqualTo(202);
    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(20));

    String log = api.log(id);
    assertThat(build.get("state").asText()).as(log).isEqualTo("SUCCEEDED");
    assertThat(log).contains("$ e2fsck -f -n ").doesNotContain("Fix?").doesNotContain("FILE SYSTEM WAS MODIFIED");
    assertThat(packagesIn(build, scratch)).isEqualTo(withoutHolder);
    ImageChecks.assertNothingLeft(ROOT.resolve("build"), id, output("inside"));
  }

  /** Checks the published image and returns its dpkg status as "package version status" lines. */
  static List<String> packagesIn(JsonNode build, Path scratch) {
    List<String> packages = new java.util.ArrayList<>();
    ImageChecks.verifyPublished(Path.of(build.get("metadataPath").asText()), List.of("less"),
        scratch.resolve(build.get("id").asText()), mnt -> packages.addAll(dpkgStatus(mnt)));
    return packages;
  }

  static List<String> dpkgStatus(Path mnt) {
    try {
      return java.util.Arrays.stream(Files.readString(mnt.resolve("var/lib/dpkg/status")).split("\n\n"))
          .filter(stanza -> !stanza.isBlank()).map(MountNamespaceIT::summary).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String summary(String stanza) {
    return field(stanza, "Package") + " " + field(stanza, "Version") + " " + field(stanza, "Status");
  }

  private static String field(String stanza, String name) {
    return stanza.lines().filter(line -> line.startsWith(name + ": ")).map(line -> line.substring(name.length() + 2))
        .findFirst().orElse("");
  }

  /** The message of the build's incident, as Cockpit shows it. */
  static String incidentMessage(Api api, String id) {
    JsonNode instances = api.get("/engine-rest/process-instance?businessKey="
        + URLEncoder.encode(id, StandardCharsets.UTF_8)).json();
    String instance = instances.get(0).get("id").asText();
    JsonNode incidents = api.get("/engine-rest/incident?processInstanceId=" + instance).json();
    return incidents.get(0).get("incidentMessage").asText();
  }

  /** Waits until the build's log contains {@code text}; fails at once if the build ends first. */
  static void awaitLog(Api api, String id, String text) {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(20));
    while (Instant.now().isBefore(deadline)) {
      if (api.log(id).contains(text)) {
        return;
      }
      if (Api.ENDED.contains(api.build(id).get("state").asText())) {
        throw new AssertionError("build " + id + " ended before \"" + text + "\":\n" + api.log(id));
      }
      Api.sleep(200);
    }
    throw new AssertionError("no \"" + text + "\" in the log of " + id + ":\n" + api.log(id));
  }
}

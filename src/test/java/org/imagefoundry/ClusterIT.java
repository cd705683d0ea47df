package org.imagefoundry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.StreamSupport;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ImageChecks;
import org.imagefoundry.testing.LocalRepository;
import org.imagefoundry.testing.Postgres;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.testing.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Two nodes of one cluster on this host, {@code java -jar} each, on one PostgreSQL: their own node
 * names, ports, build roots, data dirs and caches, one slot each, and one output root. Builds submitted
 * to one node spread over both, and every job of a build runs on the node that claimed it (the history
 * job log's host names). A node killed with SIGKILL keeps its build until it returns; an evacuated
 * node's build succeeds on the other, and the evacuated node, started again, releases that build's
 * leftovers and touches nothing else. Which node claims a build submitted while both have a slot free
 * is a race the tests do not decide: they follow the build to whichever node took it. Gate packages ({@link LocalRepository#createWithGate}) hold builds
 * where a node must die; nothing here waits for a time to pass.
 */
@Isolated("kills nodes, starts real builds and counts loop devices")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

  static final Path ROOT = Path.of("/var/tmp/image-foundry-cluster");
  static final Path IMAGES = ROOT.resolve("images");
  static final Path REPOS = ROOT.resolve("repos");

  static String database;
  static ServiceProcess a;
  static ServiceProcess b;

  @TempDir Path scratch;

  @BeforeAll
  static void startTwoNodes() {
    Requests.delete(ROOT);
    database = Postgres.freshDatabaseUrl();
    a = node("node-a", 18101);
    b = node("node-b", 18102);
    List.of(a, b).parallelStream().forEach(ServiceProcess::start);
  }

  static ServiceProcess node(String name, int port) {
    return new ServiceProcess(database, ROOT.resolve(name), name, port,
        "--image-foundry.max-concurrent-builds=1",
        "--image-foundry.allowed-output-roots=" + IMAGES,
        "--image-foundry.allowed-file-repo-roots=" + REPOS);
  }

  @AfterAll
  static void stopNodes() {
    for (ServiceProcess node : new ServiceProcess[] {a, b}) {
      if (node != null) {
        node.stop();
      }
    }
  }

  @Test
  @Order(1)
  void sixBuildsSubmittedToOneNodeSpreadOverBothAndEachRunsOnOneNode() throws Exception {
    Api api = a.api();
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      ids.add(api.start(request("six-" + i)));
    }

    Set<String> nodes = new LinkedHashSet<>();
    for (String id : ids) {
      JsonNode build = api.awaitEnd(id, Duration.ofMinutes(15));
      assertThat(build.get("state").asText()).as(logOf(id)).isEqualTo("SUCCEEDED");
      String node = build.get("node").asText();
      assertThat(hostsInTheJobLog(id)).as("the hosts of build %s's jobs", id).containsExactly(node);
      nodes.add(node);
      ImageChecks.verifyPublished(Path.of(build.get("metadataPath").asText()), List.of("less"), scratch.resolve(id));
      assertNothingLeftOnEitherNode(id, build);
    }
    assertThat(nodes).as("the nodes that ran builds").containsExactlyInAnyOrder("node-a", "node-b");

    JsonNode list = api.get("/api/builds?limit=6").json();
    assertThat(StreamSupport.stream(list.spliterator(), false).map(build -> build.get("node").asText()))
        .containsOnly("node-a", "node-b");
    JsonNode cluster = b.api().get("/api/nodes").json();
    assertThat(StreamSupport.stream(cluster.spliterator(), false).map(node -> node.get("name").asText()))
        .containsExactly("node-a", "node-b");
    for (JsonNode node : cluster) {
      assertThat(node.get("alive").asBoolean()).isTrue();
      assertThat(node.get("slots").asInt()).isEqualTo(1);
      assertThat(node.get("slotsInUse").asInt()).isZero();
      assertThat(node.get("baseCacheBytes").asLong()).as("each node filled its own base-tree cache").isPositive();
    }
    JsonNode health = a.api().get("/actuator/health/cluster").json();
    assertThat(health.get("status").asText()).isEqualTo("UP");
    assertThat(health.at("/details/node").asText()).isEqualTo("node-a");
    assertThat(health.at("/details/nodes/node-b").asText()).startsWith("UP");
  }

  @Test
  @Order(2)
  void aKilledNodesBuildWaitsForItWhileTheOtherGoesOnAndResumesWhenItIsBack() throws Exception {
    Path repo = REPOS.resolve("killed");
    LocalRepository.createWithGate(repo);
    String held = a.api().start(gatedRequest("killed", repo));
    // both nodes have a slot free: node-a claims it as it answers, unless node-b's claim came first
    ServiceProcess holder = awaitClaim(held);
    ServiceProcess other = holder == a ? b : a;
    awaitLogLine(holder, held, "  " + LocalRepository.GATE_WAITING, -1);
    long killedPid = holder.pid();

    holder.kill();
    String meanwhile = other.api().start(request("meanwhile"));
    JsonNode otherBuild = other.api().awaitEnd(meanwhile, Duration.ofMinutes(10));
    assertThat(otherBuild.get("state").asText()).as(logOf(meanwhile)).isEqualTo("SUCCEEDED");
    assertThat(otherBuild.get("node").asText()).isEqualTo(other.nodeName());
    JsonNode waiting = other.api().build(held);
    assertThat(waiting.get("node").asText()).as("the build of the node that is down").isEqualTo(holder.nodeName());
    assertThat(waiting.get("phase").asText()).isEqualTo("installPackages");
    assertThat(hostsInTheJobLog(held)).as("hosts of the held build's jobs while its node is down")
        .containsOnly(holder.nodeName());

    Instant restarted = holder.start();
    Instant resumed = awaitLogLine(holder, held, "phase installPackages started", holder.pid());
    System.out.printf("RESUME on %s: the build went on %d ms after the node was started again%n", holder.nodeName(),
        Duration.between(restarted, resumed).toMillis());
    LocalRepository.openGate(repo);

    JsonNode build = holder.api().awaitEnd(held, Duration.ofMinutes(10));
    assertThat(build.get("state").asText()).as(logOf(held)).isEqualTo("SUCCEEDED");
    assertThat(hostsInTheJobLog(held)).containsExactly(holder.nodeName());
    assertThat(logLines(holder, held).stream().filter(m -> m.group(4).equals("phase installPackages started"))
        .map(m -> Long.parseLong(m.group(2)))).containsExactly(killedPid, holder.pid());
    ImageChecks.verifyPublished(Path.of(build.get("metadataPath").asText()), List.of("less", LocalRepository.GATE),
        scratch.resolve("killed"));
    assertNothingLeftOnEitherNode(held, build);
    assertNothingLeftOnEitherNode(meanwhile, otherBuild);
  }

  @Test
  @Order(3)
  void anEvacuatedNodesBuildSucceedsOnTheOtherAndTheNodeReleasesOnlyItsLeftoversWhenItReturns() throws Exception {
    Path repo = REPOS.resolve("evacuated");
    LocalRepository.createWithGate(repo);
    String evacuated = a.api().start(gatedRequest("evacuated", repo));
    ServiceProcess gone = awaitClaim(evacuated);
    ServiceProcess other = gone == a ? b : a;
    awaitLogLine(gone, evacuated, "  " + LocalRepository.GATE_WAITING, -1);
    Path onGone = gone.root().resolve("build").resolve(evacuated);
    Path onOther = other.root().resolve("build").resolve(evacuated);

    gone.kill();
    assertThat(other.api().post("/api/nodes/" + other.nodeName() + "/evacuate", "").status()).as("a node that beats")
        .isEqualTo(409);
    awaitNodeDown(other.api(), gone.nodeName());
    Api.Response evacuation = other.api().post("/api/nodes/" + gone.nodeName() + "/evacuate", "");
    assertThat(evacuation.status()).as(evacuation.body()).isEqualTo(202);
    assertThat(evacuation.json().get("builds").get(0).asText()).isEqualTo(evacuated);

    // the other node claims it and runs it from its first step, up to the gate, while the leftovers remain
    awaitLogLine(other, evacuated, "  " + LocalRepository.GATE_WAITING, -1);
    assertThat(other.api().build(evacuated).get("node").asText()).isEqualTo(other.nodeName());
    assertThat(loopDevicesOn(onGone)).as("the evacuated node's leftovers while it is down").isNotEmpty();
    List<String> loopsOnOther = loopDevicesOn(onOther);
    assertThat(loopsOnOther).isNotEmpty();

    gone.start();
    // the evacuated node released what the build left on it (its old commands, mounts, loop devices, workspace) ...
    ImageChecks.assertNothingLeft(gone.root().resolve("build"), evacuated, IMAGES.resolve("evacuated"));
    // ... and nothing of the same build on the other node: its loop devices, its workspace, its commands at the gate
    assertThat(loopDevicesOn(onOther)).isEqualTo(loopsOnOther);
    assertThat(onOther).isDirectory();
    assertThat(gone.api().build(evacuated).get("phase").asText()).isEqualTo("installPackages");

    LocalRepository.openGate(repo);
    JsonNode build = other.api().awaitEnd(evacuated, Duration.ofMinutes(10));
    assertThat(build.get("state").asText()).as(logOf(evacuated)).isEqualTo("SUCCEEDED");
    assertThat(build.get("node").asText()).isEqualTo(other.nodeName());
    assertThat(starts(other, evacuated, "createChroot")).as("there it started from its first step").isEqualTo(1);
    assertThat(starts(other, evacuated, "installPackages")).as("the evacuated node's start killed none of its commands")
        .isEqualTo(1);
    assertThat(hostsInTheJobLog(evacuated)).containsExactlyInAnyOrder("node-a", "node-b");
    ImageChecks.verifyPublished(Path.of(build.get("metadataPath").asText()), List.of("less", LocalRepository.GATE),
        scratch.resolve("evacuated"));
    assertNothingLeftOnEitherNode(evacuated, build);
  }

  /** The node that claimed the build (a build is claimed at once when a node has a slot free). */
  static ServiceProcess awaitClaim(String id) {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
    while (Instant.now().isBefore(deadline)) {
      JsonNode node = a.api().build(id).get("node");
      if (node != null && !node.isNull()) {
        return node.asText().equals(a.nodeName()) ? a : b;
      }
      Api.sleep(200);
    }
    throw new AssertionError("no node claimed " + id + ": " + a.api().build(id));
  }

  static String request(String name) {
    return """
        {"image_data": {"/": {"uri": "http://images.invalid/%s.img", "format": "ext4", "container": "zstd", "size": "2G"}},
         "output": "%s", "codename": "bookworm", "variant": "minbase", "packages": ["less"]}
        """.formatted(name, IMAGES.resolve(name));
  }

  static String gatedRequest(String name, Path repo) {
    return Requests.gated(name, IMAGES, repo);
  }

  /** The host names the history job log records for the build's jobs: the nodes that ran them. */
  static Set<String> hostsInTheJobLog(String buildId) throws SQLException {
    Set<String> hosts = new LinkedHashSet<>();
    try (Connection connection = DriverManager.getConnection(database, Postgres.USER, Postgres.PASSWORD);
        PreparedStatement query = connection.prepareStatement("SELECT DISTINCT l.HOSTNAME_ FROM ACT_HI_JOB_LOG l "
            + "JOIN ACT_HI_PROCINST p ON p.PROC_INST_ID_ = l.PROCESS_INSTANCE_ID_ WHERE p.BUSINESS_KEY_ = ?")) {
      query.setString(1, buildId);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          hosts.add(rows.getString(1));
        }
      }
    }
    return hosts;
  }

  static void assertNothingLeftOnEitherNode(String id, JsonNode build) {
    Path output = Path.of(build.get("metadataPath").asText()).getParent();
    for (ServiceProcess node : List.of(a, b)) {
      ImageChecks.assertNothingLeft(node.root().resolve("build"), id, output);
    }
  }

  static List<String> loopDevicesOn(Path workspace) {
    String all = new org.imagefoundry.host.ProcessCommandRunner()
        .run(org.imagefoundry.host.Command.of(Duration.ofMinutes(1), "losetup", "--all")).output();
    return all.lines().filter(line -> line.contains(workspace.toString())).toList();
  }

  static void awaitNodeDown(Api api, String node) {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
    while (Instant.now().isBefore(deadline)) {
      for (JsonNode each : api.get("/api/nodes").json()) {
        if (each.get("name").asText().equals(node) && !each.get("alive").asBoolean()) {
          return;
        }
      }
      Api.sleep(500);
    }
    throw new AssertionError(node + " still counts as alive: " + api.get("/api/nodes").body());
  }

  /** Waits for a line of the build's log on {@code node} (written by {@code pid}, if not -1); returns its time. */
  static Instant awaitLogLine(ServiceProcess node, String id, String text, long pid) {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
    while (Instant.now().isBefore(deadline)) {
      for (Matcher m : logLines(node, id)) {
        if (m.group(4).equals(text) && (pid < 0 || Long.parseLong(m.group(2)) == pid)) {
          return Instant.parse(m.group(1));
        }
      }
      Api.sleep(200);
    }
    throw new AssertionError("no line '" + text + "' in the log of " + id + " on " + node.nodeName() + ":\n" + logOf(id));
  }

  static long starts(ServiceProcess node, String id, String phase) {
    return logLines(node, id).stream().filter(m -> m.group(4).equals("phase " + phase + " started")).count();
  }

  static List<Matcher> logLines(ServiceProcess node, String id) {
    return log(node, id).lines().map(CrashRecoveryIT.LINE::matcher).filter(Matcher::matches).toList();
  }

  /** A build's log lives on each node that ran a part of it, in that node's data dir. */
  static String log(ServiceProcess node, String id) {
    try {
      Path file = node.root().resolve("data/logs/" + id + ".log");
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String logOf(String id) {
    return "node-a:\n" + log(a, id) + "\nnode-b:\n" + log(b, id);
  }
}

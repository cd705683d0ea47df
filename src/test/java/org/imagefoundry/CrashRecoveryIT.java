package org.imagefoundry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.EngineOperator;
import org.imagefoundry.testing.ImageChecks;
import org.imagefoundry.testing.LocalRepository;
import org.imagefoundry.testing.Postgres;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.testing.SerialConsole;
import org.imagefoundry.testing.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The service, run with {@code java -jar} on PostgreSQL, is killed with SIGKILL in the middle of a step
 * and started again: the build resumes by itself within seconds, the interrupted step runs once more
 * (never beside itself), and the image is as good as an uninterrupted build's. A database outage at
 * any moment (during a step, at its commit, between two jobs, during a cancelled build's compensation)
 * costs the build at most a minute once the database is back: a gate package (see
 * {@link LocalRepository#createWithGate}) holds the build where each outage must fall.
 */
@Isolated("resume times are measured: no other build may compete for the two cores meanwhile")
class CrashRecoveryIT {

  static final Path ROOT = Path.of("/var/tmp/image-foundry-crash");
  static final Pattern LINE = Pattern.compile("^(\\S+) \\[pid (\\d+)] \\[(\\w*)] (.*)$");

  static String databaseUrl;
  static ServiceProcess service;

  @TempDir Path scratch;

  @BeforeAll
  static void startService() {
    Requests.delete(ROOT);
    databaseUrl = Postgres.freshDatabaseUrl();
    service = new ServiceProcess(databaseUrl, ROOT, "crash-test-node",
        "--image-foundry.allowed-file-repo-roots=" + ROOT.resolve("repos"),
        // every build here must pass through the phase it is crashed in
        "--image-foundry.cache.package-layers=false");
    service.start();
  }

  @AfterAll
  static void stopService() {
    if (service != null) {
      service.stop();
    }
  }

  static String request(String name, String container) {
    return """
        {"image_data": {"/": {"uri": "http://images.invalid/%s.img", "format": "ext4", "container": "%s", "size": "2G"}},
         "output": "%s", "codename": "bookworm", "variant": "minbase", "packages": ["less"]}
        """.formatted(name, container, ROOT.resolve("images").resolve(name));
  }

  @ParameterizedTest(name = "killed during {0}")
  @CsvSource({"debootstrap, zstd, 8", "containerize, gzip, 0"})
  void aBuildKilledInTheMiddleOfAStepResumesAfterTheRestartAndSucceeds(String phase, String container, int settle)
      throws Exception {
    Api api = service.api();
    String id = api.start(request(phase, container));
    awaitLogLine(id, "phase " + phase + " started", Duration.ofMinutes(10));
    Api.sleepSeconds(settle);
    long killedPid = service.pid();

    service.kill();
    Instant restarted = service.start();

    Instant resumed = awaitLogLine(id, "phase " + phase + " started", service.pid(), Duration.ofMinutes(2));
    Duration resume = Duration.between(restarted, resumed);
    System.out.printf("RESUME %s: the build went on %d ms after the service was started again%n", phase, resume.toMillis());
    assertThat(resume).isLessThan(Duration.ofSeconds(30));

    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(12));
    assertThat(build.get("state").asText()).as(api.log(id)).isEqualTo("SUCCEEDED");
    ImageChecks.verifyPublished(Path.of(build.get("metadataPath").asText()), List.of("less"), scratch);
    ImageChecks.assertNothingLeft(ROOT.resolve("build"), id, ROOT.resolve("images").resolve(phase));
    assertRestartedOnceNeverOverlapping(api.log(id), phase, killedPid, service.pid());
  }

  /**
   * Killed while apt runs a package's postinst (held at the gate, so the kill falls in the middle of
   * installPackages however fast apt is): after the restart installPackages runs once more, finishing
   * the interrupted dpkg first, and the build succeeds.
   */
  @Test
  void aBuildKilledWhileAptRunsResumesInstallPackagesAfterTheRestartAndSucceeds() throws Exception {
    Api api = service.api();
    Gated gated = startHeldAtTheGate(api, "killed-in-apt");
    long killedPid = service.pid();

    service.kill();
    Instant restarted = service.start();
    LocalRepository.openGate(gated.repo());

    Instant resumed = awaitLogLine(gated.id(), "phase installPackages started", service.pid(), Duration.ofMinutes(2));
    Duration resume = Duration.between(restarted, resumed);
    System.out.printf("RESUME installPackages: the build went on %d ms after the service was started again%n",
        resume.toMillis());
    assertThat(resume).isLessThan(Duration.ofSeconds(30));
    assertSucceededAndLeftNothing(api, gated.id(), "killed-in-apt");
    assertRestartedOnceNeverOverlapping(api.log(gated.id()), "installPackages", killedPid, service.pid());
  }

  /**
   * Killed once the disk's filesystems are mounted (assembleDisk committed): the service's mount namespace
   * dies with it, so the next disk step (findKernel) finds them unmounted on the disk's loop device, still
   * attached, and mounts them again. The disk then boots with SeaBIOS to a login prompt: GRUB went onto
   * the disk, not into an empty directory of the build host.
   *
   * <p>The kill must fall after assembleDisk's commit and before installBootloader's (a window of a few
   * hundred milliseconds on a warm build): findKernel's job definition is suspended meanwhile, so its job
   * waits, made but not run, until the service is back. ("phase assembleDisk finished" alone is too early:
   * that line is written before the step's transaction commits, and a kill then runs assembleDisk again.)
   */
  @Test
  void aDiskBuildKilledAfterItsFilesystemsWereMountedMountsThemAgainAndItsDiskBoots() throws Exception {
    Api api = service.api();
    String id;
    try (EngineOperator operator = new EngineOperator(databaseUrl)) {
      operator.suspend("findKernel");
      id = api.start("""
          {"image_data": {"/": {"uri": "http://images.invalid/disk-root.img.zst", "format": "ext4",
                                "container": "zstd", "size": "2G"}},
           "disk": {"name": "disk.raw", "format": "raw", "boot": "bios"},
           "output": "%s", "codename": "bookworm", "variant": "minbase",
           "packages": ["linux-image-amd64", "systemd-sysv"]}
          """.formatted(ROOT.resolve("images").resolve("disk")));
      operator.awaitSuspendedJob(id, "findKernel", Duration.ofMinutes(20));

      service.kill();
      service.start();
      operator.activate("findKernel");

      awaitLogLine(id, "the disk's filesystems are not mounted (the service was restarted): mounting them again",
          service.pid(), Duration.ofMinutes(2));
      assertThat(starts(logLines(id), "assembleDisk")).as("assembleDisk had committed before the kill").isEqualTo(1);
      JsonNode build = api.awaitEnd(id, Duration.ofMinutes(10));
      assertThat(build.get("state").asText()).as(log(id)).isEqualTo("SUCCEEDED");
    }
    ImageChecks.assertNothingLeft(ROOT.resolve("build"), id, ROOT.resolve("images").resolve("disk"));
    try (SerialConsole console = SerialConsole.boot(ROOT.resolve("images/disk/disk.raw"), "raw")) {
      console.await("login:", Duration.ofMinutes(6));
    }
  }

  /**
   * The step's commands end while the database is stopped: its commit fails, and so does the recording
   * of the failure, so its job stays locked by this node with no thread running it. Once the database
   * is back the node releases that lock, and the step runs again from its beginning, not beside itself.
   */
  @Test
  void aStepThatEndsWhileTheDatabaseIsStoppedRunsAgainOnceItIsBack() throws Exception {
    Api api = service.api();
    Gated build = startHeldAtTheGate(api, "at-commit");
    String id = build.id();

    Instant back = outage(() -> {
      LocalRepository.openGate(build.repo());
      awaitLogLine(id, line -> line.startsWith("phase installPackages finished"), -1, Duration.ofMinutes(5));
      assertHealthDownWhileTheDatabaseIsAway(service.anonymous());
      Api.sleepSeconds(10); // longer than a connection request waits: recording the failure fails too
    });

    Instant next = awaitLogLine(id, "phase postInstall started", Duration.ofMinutes(5));
    assertResumedWithinAMinute(back, next, "postInstall");
    assertSucceededAndLeftNothing(api, id, "at-commit");
    assertThat(starts(logLines(id), "installPackages")).as("installPackages ran again after its lost commit").isEqualTo(2);
    assertNoStepRanBesideItself(id);
    assertThat(api.get("/actuator/prometheus").body()).containsPattern("imagefoundry_job_locks_released_total [1-9]");
  }

  @Test
  void anOutageDuringAStepCostsThatStepAtMost() throws Exception {
    Api api = service.api();
    Gated build = startHeldAtTheGate(api, "during-step");
    String id = build.id();

    Instant back = outage(() -> Api.sleepSeconds(10));
    LocalRepository.openGate(build.repo());

    assertResumedWithinAMinute(back, awaitLogLine(id, "phase postInstall started", Duration.ofMinutes(5)), "postInstall");
    assertSucceededAndLeftNothing(api, id, "during-step");
    // the step's transaction held a connection that the restart broke: its commit fails and it runs again
    assertNoStepRanBesideItself(id);
  }

  /** The step failed and waits for its retry when the database goes: no job of the build runs meanwhile. */
  @Test
  void anOutageBetweenTwoJobsCostsOnlyTheOutage() throws Exception {
    Api api = service.api();
    Gated build = startHeldAtTheGate(api, "between-jobs");
    String id = build.id();
    LocalRepository.failGate(build.repo(), true);
    LocalRepository.openGate(build.repo());
    awaitLogLine(id, line -> line.startsWith("phase installPackages failed"), -1, Duration.ofMinutes(5));

    Instant back = outage(() -> {
      LocalRepository.failGate(build.repo(), false);
      Api.sleepSeconds(10);
    });

    assertResumedWithinAMinute(back, awaitLogLine(id, "phase postInstall started", Duration.ofMinutes(5)), "postInstall");
    assertSucceededAndLeftNothing(api, id, "between-jobs");
    assertNoStepRanBesideItself(id);
  }

  /** A cancelled build's compensation is under way when the database goes: it runs again, and the build ends CANCELLED. */
  @Test
  void anOutageDuringTheCompensationOfACancelledBuildCostsThatCompensationAtMost() {
    Api api = service.api();
    String id = startHeldAtTheGate(api, "during-compensation").id();

    assertThat(api.post("/api/builds/" + id + "/cancel", "").status()).isEqualTo(202);
    // installPackages never completed, so undoing mountPseudoFilesystems comes first; the gate's postinst ignores
    // SIGTERM, so it spends two seconds stopping it, in which the database goes
    awaitLogLine(id, "phase undoMountPseudoFilesystems started", Duration.ofMinutes(2));
    Instant back = outage(() -> Api.sleepSeconds(10));

    JsonNode ended = api.awaitEnd(id, Duration.ofMinutes(5));
    assertThat(ended.get("state").asText()).as(log(id)).isEqualTo("CANCELLED");
    assertResumedWithinAMinute(back, Instant.parse(ended.get("endedAt").asText()), "the end of the cancel");
    ImageChecks.assertNothingLeft(ROOT.resolve("build"), id, ROOT.resolve("images").resolve("during-compensation"));
    assertNoStepRanBesideItself(id);
  }

  /** A build that waits at the gate, in installPackages. */
  record Gated(String id, Path repo) {}

  static Gated startHeldAtTheGate(Api api, String name) {
    Path repo = ROOT.resolve("repos").resolve(name);
    LocalRepository.createWithGate(repo);
    String id = api.start(gatedRequest(name, repo));
    awaitLogLine(id, "  " + LocalRepository.GATE_WAITING, Duration.ofMinutes(10));
    return new Gated(id, repo);
  }

  /** Stops the database, does {@code meanwhile}, starts it again; returns when it was back. */
  static Instant outage(Runnable meanwhile) {
    Postgres.stop();
    try {
      meanwhile.run();
    } finally {
      Postgres.start();
    }
    return Instant.now();
  }

  static String gatedRequest(String name, Path repo) {
    return Requests.gated(name, ROOT.resolve("images"), repo);
  }

  void assertSucceededAndLeftNothing(Api api, String id, String name) throws Exception {
    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(10));
    assertThat(build.get("state").asText()).as(log(id)).isEqualTo("SUCCEEDED");
    ImageChecks.verifyPublished(Path.of(build.get("metadataPath").asText()), List.of("less", LocalRepository.GATE),
        scratch.resolve(name));
    ImageChecks.assertNothingLeft(ROOT.resolve("build"), id, ROOT.resolve("images").resolve(name));
  }

  static void assertResumedWithinAMinute(Instant databaseBack, Instant resumed, String what) {
    Duration took = Duration.between(databaseBack, resumed);
    System.out.printf("RESUME after the database came back: %s %d ms later%n", what, took.toMillis());
    assertThat(took).as(what + " after the database came back").isLessThan(Duration.ofSeconds(60));
  }

  /**
   * While the database is stopped, health says DOWN to a probe without credentials (a login cannot be
   * checked without the database; the components, the database's among them, are shown to admins only).
   */
  static void assertHealthDownWhileTheDatabaseIsAway(Api api) {
    Api.Response health = api.get("/actuator/health");
    assertThat(health.status()).as(health.body()).isEqualTo(503);
    assertThat(health.json().get("status").asText()).as(health.body()).isEqualTo("DOWN");
  }

  @Test
  void twoNodesStartingOnAnEmptyDatabaseBothComeUp() {
    String database = Postgres.freshDatabaseUrl();
    var first = new ServiceProcess(database, ROOT.resolve("node-a"), "node-a");
    var second = new ServiceProcess(database, ROOT.resolve("node-b"), "node-b");
    try {
      var starts = List.of(first, second).parallelStream().map(ServiceProcess::start).toList();
      assertThat(starts).hasSize(2);
      assertThat(first.api().get("/api/builds").status()).isEqualTo(200);
      assertThat(second.api().get("/api/builds").status()).isEqualTo(200);
    } finally {
      first.stop();
      second.stop();
    }
  }

  /** Every step started once in each life of the service, the interrupted one twice, and no line of the old life after the new one began. */
  static void assertRestartedOnceNeverOverlapping(String log, String phase, long oldPid, long newPid) {
    List<Matcher> lines = log.lines().map(LINE::matcher).filter(Matcher::matches).toList();
    int firstOfNewLife = -1;
    for (int i = 0; i < lines.size(); i++) {
      long pid = Long.parseLong(lines.get(i).group(2));
      if (pid == newPid && firstOfNewLife < 0) {
        firstOfNewLife = i;
      }
      if (firstOfNewLife >= 0) {
        assertThat(pid).as("line " + i + " after the restart: " + lines.get(i).group(0)).isEqualTo(newPid);
      }
    }
    Map<String, Long> starts = lines.stream().filter(m -> m.group(4).matches("phase \\w+ started"))
        .collect(java.util.stream.Collectors.groupingBy(m -> m.group(3), java.util.stream.Collectors.counting()));
    starts.forEach((step, count) -> assertThat(count).as("starts of " + step).isEqualTo(step.equals(phase) ? 2L : 1L));
    assertThat(lines.stream().filter(m -> m.group(4).equals("phase " + phase + " started"))
        .map(m -> Long.parseLong(m.group(2)))).containsExactly(oldPid, newPid);
  }

  static Instant awaitLogLine(String id, String text, Duration timeout) {
    return awaitLogLine(id, text::equals, -1, timeout);
  }

  static Instant awaitLogLine(String id, String text, long pid, Duration timeout) {
    return awaitLogLine(id, text::equals, pid, timeout);
  }

  /** Waits for a line of the build's log (written by {@code pid}, if not -1) and returns its time. */
  static Instant awaitLogLine(String id, Predicate<String> message, long pid, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (Matcher m : logLines(id)) {
        if (message.test(m.group(4)) && (pid < 0 || Long.parseLong(m.group(2)) == pid)) {
          return Instant.parse(m.group(1));
        }
      }
      Api.sleep(200);
    }
    throw new AssertionError("no such line in the log of " + id + " within " + timeout + ":\n" + log(id));
  }

  /** The build's log, read from its file: the API needs the database, which some of these tests stop. */
  static String log(String id) {
    try {
      Path file = ROOT.resolve("data/logs/" + id + ".log");
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Matcher> logLines(String id) {
    return log(id).lines().map(LINE::matcher).filter(Matcher::matches).toList();
  }

  static long starts(List<Matcher> lines, String phase) {
    return lines.stream().filter(m -> m.group(4).equals("phase " + phase + " started")).count();
  }

  /** Every run of a phase ended (finished or failed) before the next run of it started. */
  static void assertNoStepRanBesideItself(String id) {
    Map<String, Integer> open = new java.util.HashMap<>();
    for (Matcher m : logLines(id)) {
      Matcher phase = Pattern.compile("phase (\\w+) (started|finished|failed).*").matcher(m.group(4));
      if (phase.matches()) {
        int running = open.merge(phase.group(1), phase.group(2).equals("started") ? 1 : -1, Integer::sum);
        assertThat(running).as(phase.group(1) + " at " + m.group(1) + " in\n" + log(id)).isBetween(0, 1);
      }
    }
  }
}

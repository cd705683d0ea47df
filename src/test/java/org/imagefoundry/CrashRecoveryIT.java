package org.imagefoundry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ImageChecks;
import org.imagefoundry.testing.Postgres;
import org.imagefoundry.testing.Requests;
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
 * (never beside itself), and the image is as good as an uninterrupted build's. A database restart in
 * the middle of a step costs only that step.
 */
@Isolated("resume times are measured: no other build may compete for the two cores meanwhile")
class CrashRecoveryIT {

  static final Path ROOT = Path.of("/var/tmp/image-foundry-crash");
  static final Pattern LINE = Pattern.compile("^(\\S+) \\[pid (\\d+)] \\[(\\w*)] (.*)$");

  static ServiceProcess service;

  @TempDir Path scratch;

  @BeforeAll
  static void startService() {
    Requests.delete(ROOT);
    service = new ServiceProcess(Postgres.freshDatabaseUrl(), ROOT, "crash-test-node");
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
  @CsvSource({"debootstrap, zstd, 8", "installPackages, zstd, 1", "containerize, gzip, 0"})
  void aBuildKilledInTheMiddleOfAStepResumesAfterTheRestartAndSucceeds(String phase, String container, int settle)
      throws Exception {
    Api api = service.api();
    String id = api.start(request(phase, container));
    awaitLogLine(api, id, "phase " + phase + " started", Duration.ofMinutes(10));
    Api.sleepSeconds(settle);
    long killedPid = service.pid();

    service.kill();
    Instant restarted = service.start();

    Instant resumed = awaitLogLine(api, id, "phase " + phase + " started", service.pid(), Duration.ofMinutes(2));
    Duration resume = Duration.between(restarted, resumed);
    System.out.printf("RESUME %s: the build went on %d ms after the service was started again%n", phase, resume.toMillis());
    assertThat(resume).isLessThan(Duration.ofSeconds(30));

    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(12));
    assertThat(build.get("state").asText()).as(api.log(id)).isEqualTo("SUCCEEDED");
    ImageChecks.verifyPublished(Path.of(build.get("metadataPath").asText()), List.of("less"), scratch);
    ImageChecks.assertNothingLeft(ROOT.resolve("build"), id, ROOT.resolve("images").resolve(phase));
    assertRestartedOnceNeverOverlapping(api.log(id), phase, killedPid, service.pid());
  }

  @Test
  void aDatabaseRestartDuringAStepCostsOnlyThatStep() {
    Api api = service.api();
    String id = api.start(request("database-restart", "zstd"));
    awaitLogLine(api, id, "phase debootstrap started", Duration.ofMinutes(10));
    Api.sleepSeconds(3);

    Postgres.restart();

    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(15));
    assertThat(build.get("state").asText()).as(api.log(id)).isEqualTo("SUCCEEDED");
    ImageChecks.verifyPublished(Path.of(build.get("metadataPath").asText()), List.of("less"), scratch);
    ImageChecks.assertNothingLeft(ROOT.resolve("build"), id, ROOT.resolve("images").resolve("database-restart"));
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

  static Instant awaitLogLine(Api api, String id, String text, Duration timeout) {
    return awaitLogLine(api, id, text, -1, timeout);
  }

  /** Waits for a line of the build's log (written by {@code pid}, if not -1) and returns its time. */
  static Instant awaitLogLine(Api api, String id, String text, long pid, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (String line : api.log(id).lines().toList()) {
        Matcher m = LINE.matcher(line);
        if (m.matches() && m.group(4).equals(text) && (pid < 0 || Long.parseLong(m.group(2)) == pid)) {
          return Instant.parse(m.group(1));
        }
      }
      Api.sleep(200);
    }
    throw new AssertionError("no \"" + text + "\" in the log of " + id + " within " + timeout + ":\n" + api.log(id));
  }
}

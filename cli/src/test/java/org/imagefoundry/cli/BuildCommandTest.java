package org.imagefoundry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.cli.StubService.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code build --wait} against a stub service: exit codes, what goes to stdout and stderr, pipe and terminal output. */
class BuildCommandTest {

  static final String ID = "3f2a9c1e-0b7d-4e55-9a43-5c1d2e6f7a80";
  static final String BUILD = "GET /api/builds/" + ID;

  @TempDir Path home;
  StubService service;
  Path request;

  @BeforeEach
  void setUp() throws Exception {
    service = new StubService().on("POST /api/builds", Answer.json(201, "{\"id\": \"" + ID + "\"}"));
    request = home.resolve("request.json");
    Files.writeString(request, "{\"codename\": \"bookworm\"}");
  }

  @AfterEach
  void tearDown() {
    service.close();
  }

  static Answer build(String state, String phase, double progress) {
    return build(state, phase, progress, null, "");
  }

  static Answer build(String state, String phase, double progress, String error, String images) {
    return Answer.json(200, """
        {"id": "%s", "state": "%s", "phase": %s, "progress": %s, "createdAt": "2026-12-06T02:00:00Z",
         "endedAt": %s, "error": %s, "metadataPath": %s, "images": [%s], "phases": []}
        """.formatted(ID, state, phase == null ? "null" : "\"" + phase + "\"", progress,
        List.of("SUCCEEDED", "SKIPPED", "FAILED", "CANCELLED").contains(state) ? "\"2026-12-06T02:01:30Z\"" : "null",
        error == null ? "null" : "\"" + error + "\"",
        images.isEmpty() ? "null" : "\"/srv/images/bookworm-minbase.yaml\"", images));
  }

  static final String IMAGE = """
      {"container_name": "bookworm-minbase.img.gz", "container_md5": "8fc9f4fdcfe618bfaa8798d7d71e40a8", "mount": "/"}""";

  Run run(String... args) {
    return new Run(home).env("IMAGE_FOUNDRY_URL", service.url()).env("IMAGE_FOUNDRY_USER", "admin")
        .env("IMAGE_FOUNDRY_PASSWORD", "s3cret").execute(args);
  }

  @Test
  void withoutWaitPrintsTheIdAlone() {
    Run run = run("build", request.toString());

    assertThat(run.exitCode).isEqualTo(ExitCodes.OK);
    assertThat(run.out()).isEqualTo(ID + "\n");
    assertThat(service.requests.get(0).body()).isEqualTo("{\"codename\": \"bookworm\"}");
    assertThat(service.requests.get(0).authorization()).isEqualTo("Basic YWRtaW46czNjcmV0");
  }

  @Test
  void aSucceededBuildExitsZeroWithTheImagesMd5sAndPathsOneLinePerPhaseInAPipe() {
    service.on(BUILD, build("QUEUED", "waitForBuildSlot", 0), build("RUNNING", "debootstrap", 0.25),
        build("RUNNING", "debootstrap", 0.25), build("RUNNING", "installPackages", 0.5),
        build("SUCCEEDED", "writeMetadata", 1, null, IMAGE));

    Run run = run("build", request.toString(), "--wait");

    assertThat(run.exitCode).isEqualTo(ExitCodes.OK);
    assertThat(run.err()).isEmpty();
    List<String> lines = run.out().lines().toList();
    assertThat(lines).hasSize(8);
    assertThat(lines.get(0)).isEqualTo("build " + ID);
    // one line per phase: the second poll in debootstrap prints nothing
    assertThat(lines.get(1)).matches("\\d+:\\d\\d    0%  QUEUED  waitForBuildSlot");
    assertThat(lines.get(2)).matches("\\d+:\\d\\d   25%  RUNNING  debootstrap");
    assertThat(lines.get(3)).matches("\\d+:\\d\\d   50%  RUNNING  installPackages");
    assertThat(lines.get(4)).matches("\\d+:\\d\\d  100%  SUCCEEDED  writeMetadata");
    assertThat(lines.get(5)).isEqualTo("build " + ID + " SUCCEEDED after 1:30");
    assertThat(lines.get(6)).isEqualTo("8fc9f4fdcfe618bfaa8798d7d71e40a8  /srv/images/bookworm-minbase.img.gz");
    assertThat(lines.get(7)).isEqualTo("metadata: /srv/images/bookworm-minbase.yaml");
    assertThat(run.out()).doesNotContain("\r");
  }

  @Test
  void aDiskIsAnOutputToo() {
    service.on(BUILD, Answer.json(200, """
        {"id": "%s", "state": "SUCCEEDED", "phase": "writeMetadata", "progress": 1, "createdAt": "2026-12-06T02:00:00Z",
         "endedAt": "2026-12-06T02:01:30Z", "error": null, "metadataPath": "/srv/images/a64-root.yaml",
         "images": [{"container_name": "a64-root.img.gz", "container_md5": "aaa", "mount": "/"}],
         "disk": {"name": "a64.qcow2", "md5": "ddd", "format": "qcow2", "boot": "uefi"}, "phases": []}
        """.formatted(ID)));

    Run run = run("build", request.toString(), "--wait");

    assertThat(run.exitCode).isEqualTo(ExitCodes.OK);
    assertThat(run.out().lines()).containsSubsequence("aaa  /srv/images/a64-root.img.gz", "ddd  /srv/images/a64.qcow2",
        "metadata: /srv/images/a64-root.yaml");
  }

  @Test
  void aSkippedBuildExitsZero() {
    service.on(BUILD, build("SKIPPED", "checkExistingImages", 1, null, IMAGE));

    Run run = run("build", request.toString(), "--wait");

    assertThat(run.exitCode).isEqualTo(ExitCodes.OK);
    assertThat(run.out()).contains("SKIPPED", "8fc9f4fdcfe618bfaa8798d7d71e40a8  /srv/images/bookworm-minbase.img.gz");
  }

  @Test
  void onATerminalOneLineIsRedrawnInPlace() {
    service.on(BUILD, build("RUNNING", "installPackages", 0.5), build("RUNNING", "debootstrap", 0.25),
        build("SUCCEEDED", "writeMetadata", 1, null, IMAGE));
    // the order is odd on purpose: a shorter line after a longer one must cover it

    Run run = new Run(home).env("IMAGE_FOUNDRY_URL", service.url()).env("IMAGE_FOUNDRY_PASSWORD", "s3cret")
        .onTerminal(new ScriptedTerminal()).execute("build", request.toString(), "--wait");

    assertThat(run.exitCode).isEqualTo(ExitCodes.OK);
    String out = run.out();
    String progress = out.substring(out.indexOf('\r'), out.indexOf("\nbuild " + ID + " SUCCEEDED"));
    String[] frames = progress.substring(1).split("\r", -1);
    assertThat(frames).hasSize(3);
    assertThat(frames[0]).matches("\\[############------------]  50%  installPackages  \\d+:\\d\\d");
    assertThat(frames[1]).startsWith("[######------------------]  25%  debootstrap  ").hasSameSizeAs(frames[0]);
    assertThat(frames[1].strip()).matches(".*debootstrap  \\d+:\\d\\d");
    assertThat(frames[2]).startsWith("[########################] 100%  SUCCEEDED writeMetadata  ");
    assertThat(progress).doesNotContain("\n");
  }

  @Test
  void aFailedBuildExitsOneWithItsErrorAndTheLastLinesOfItsLogOnStandardError() {
    service.on(BUILD, build("RUNNING", "installPackages", 0.5),
        build("FAILED", "installPackages", 0.5, "E: Unable to locate package no-such-package", ""));
    StringBuilder log = new StringBuilder();
    for (int i = 1; i <= 30; i++) {
      log.append("line ").append(i).append('\n');
    }
    log.append("E: Unable to locate package no-such-package\n");
    service.on("GET /api/builds/" + ID + "/log", Answer.text(log.toString()));

    Run run = run("build", request.toString(), "--wait");

    assertThat(run.exitCode).isEqualTo(ExitCodes.BUILD_FAILED);
    List<String> err = run.err().lines().toList();
    assertThat(err.get(0)).isEqualTo("build " + ID + " FAILED in installPackages after 1:30: "
        + "E: Unable to locate package no-such-package");
    assertThat(err.get(1)).isEqualTo("last lines of its log:");
    assertThat(err.subList(2, err.size())).hasSize(BuildOutcome.LOG_LINES)
        .startsWith("  line 12").endsWith("  E: Unable to locate package no-such-package");
    assertThat(run.out()).doesNotContain("md5");
  }

  @Test
  void anEscapeSequenceInTheErrorOrTheLogNeverReachesTheTerminal() {
    service.on(BUILD, build("FAILED", "installPackages", 0.5, "postinst: \\u001b]0;owned\\u0007", ""));
    service.on("GET /api/builds/" + ID + "/log", Answer.text("\u001b[2Jcleared\n"));

    Run run = run("build", request.toString(), "--wait");

    assertThat(run.exitCode).isEqualTo(ExitCodes.BUILD_FAILED);
    assertThat(run.err()).doesNotContain("\u001b").contains("postinst: ?]0;owned?", "  ?[2Jcleared");
  }

  @Test
  void aCancelledBuildExitsOne() {
    service.on(BUILD, build("CANCELLED", "sweep", 0.3, "cancelled by admin through the API", ""));
    service.on("GET /api/builds/" + ID + "/log", Answer.text("phase sweep finished\n"));

    Run run = run("build", request.toString(), "--wait");

    assertThat(run.exitCode).isEqualTo(ExitCodes.BUILD_FAILED);
    assertThat(run.err()).contains("CANCELLED", "cancelled by admin through the API", "  phase sweep finished");
  }

  @Test
  void aBuildInIncidentEndsTheWaitWithOne() {
    service.on(BUILD, build("RUNNING", "debootstrap", 0.2), build("INCIDENT", "debootstrap", 0.2));
    service.on("GET /api/builds/" + ID + "/log", Answer.text("debootstrap: exit code 1\n"));

    Run run = run("build", request.toString(), "--wait");

    assertThat(run.exitCode).isEqualTo(ExitCodes.BUILD_FAILED);
    assertThat(run.err()).startsWith("build " + ID + " INCIDENT in debootstrap").contains("debootstrap: exit code 1");
  }

  @Test
  void followLogPrintsTheLogWithoutTheServicesKeepAliveLinesThenTheResult() {
    service.on("GET /api/builds/" + ID + "/log?follow=true", Answer.text("phase debootstrap started\n\n\nphase debootstrap finished\n"));
    service.on(BUILD, build("SUCCEEDED", "writeMetadata", 1, null, IMAGE));

    Run run = run("build", request.toString(), "--follow-log");

    assertThat(run.exitCode).isEqualTo(ExitCodes.OK);
    assertThat(run.out().lines().toList()).containsExactly("build " + ID, "phase debootstrap started",
        "phase debootstrap finished", "build " + ID + " SUCCEEDED after 1:30",
        "8fc9f4fdcfe618bfaa8798d7d71e40a8  /srv/images/bookworm-minbase.img.gz",
        "metadata: /srv/images/bookworm-minbase.yaml");
  }

  @Test
  void anInvalidRequestIsAUsageErrorNamingEveryProblem() {
    service.answers.clear();
    service.on("POST /api/builds", Answer.json(400, """
        {"title": "Invalid build request", "status": 400, "detail": "2 problem(s) in the build request; nothing was started",
         "problems": [{"field": "codename", "message": "required"}, {"field": "packages[0]", "message": "not a package name"}]}"""));

    Run run = run("build", request.toString(), "--wait");

    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("400: 2 problem(s)", "  codename: required", "  packages[0]: not a package name");
  }

  @Test
  void aFileThatIsNotAJsonObjectIsRefusedBeforeAnythingIsSent() throws Exception {
    Files.writeString(request, "[\"not\", \"a request\"]");

    Run run = run("build", request.toString());

    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("must hold one JSON object");
    assertThat(service.requests).isEmpty();
  }

  @Test
  void aMissingFileIsAUsageError() {
    Run run = run("build", home.resolve("nothing.json").toString());

    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("cannot read", "nothing.json");
    assertThat(service.requests).isEmpty();
  }
}

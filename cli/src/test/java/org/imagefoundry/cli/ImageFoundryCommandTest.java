package org.imagefoundry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.imagefoundry.cli.StubService.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options, arguments and exit codes of every command, against a stub service. */
class ImageFoundryCommandTest {

  static final String ID = BuildCommandTest.ID;

  @TempDir Path home;
  final StubService service = new StubService();

  @AfterEach
  void tearDown() {
    service.close();
  }

  Run run(String... args) {
    return new Run(home).env("IMAGE_FOUNDRY_URL", service.url()).env("IMAGE_FOUNDRY_PASSWORD", "pw").execute(args);
  }

  @Test
  void helpNamesEveryCommandAndNeedsNoCredentials() {
    Run run = new Run(home).execute("--help");

    assertThat(run.exitCode).isEqualTo(ExitCodes.OK);
    assertThat(run.out()).contains("build", "list", "show", "log", "packages", "sbom", "retry", "cancel", "nodes",
        "evacuate", "generate-completion", "Exit codes: 0");
  }

  @Test
  void completionIsAScriptForBash() {
    Run run = new Run(home).execute("generate-completion");

    assertThat(run.exitCode).isEqualTo(ExitCodes.OK);
    assertThat(run.out()).contains("complete -F _complete_image-foundry", "evacuate");
  }

  @Test
  void noCommandUnknownOptionsAndBadValuesAreUsageErrors() {
    assertThat(run().exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run("list", "--password", "x").exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run("list", "--state", "DONE").exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run("list", "--limit", "0").exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run("show", ID, "-o", "xml").exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run("build").exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run("show", "../nodes").exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run("evacuate", "a/b").exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(service.requests).isEmpty();
  }

  @Test
  void theUrlOptionWorksAfterTheCommandAndBeatsTheEnvironment() {
    service.on("GET /api/builds?limit=5&state=FAILED", Answer.json(200, "[]"));

    Run run = new Run(home).env("IMAGE_FOUNDRY_URL", "http://127.0.0.1:1").env("IMAGE_FOUNDRY_PASSWORD", "pw")
        .execute("list", "--state", "failed", "--limit", "5", "--url", service.url());

    assertThat(run.exitCode).as(run.err()).isEqualTo(ExitCodes.OK);
    assertThat(run.out()).startsWith("ID  STATE  PHASE");
  }

  @Test
  void listShowsOneBuildALine() {
    service.on("GET /api/builds?limit=20", Answer.json(200, """
        [{"id": "b-2", "state": "FAILED", "phase": "installPackages", "progress": 0.5,
          "createdAt": "2026-12-06T02:00:00Z", "endedAt": "2026-12-06T02:00:42Z",
          "error": "E: Unable to locate package no-such-package\\nmore"},
         {"id": "b-1", "state": "SUCCEEDED", "phase": "writeMetadata", "progress": 1.0,
          "createdAt": "2026-12-06T01:00:00Z", "endedAt": "2026-12-06T01:02:05Z", "error": null}]"""));

    Run run = run("list");

    assertThat(run.exitCode).isEqualTo(ExitCodes.OK);
    assertThat(run.out().lines().toList()).containsExactly(
        "ID   STATE      PHASE            PROGRESS  CREATED               DURATION  ERROR",
        "b-2  FAILED     installPackages  50%       2026-12-06T02:00:00Z  0:42      E: Unable to locate package no-such-package",
        "b-1  SUCCEEDED  writeMetadata    100%      2026-12-06T01:00:00Z  2:05      -");
  }

  @Test
  void aWrongPasswordExitsThree() {
    service.on("GET /api/builds?limit=20", new Answer(401, "", java.util.Map.of()));

    Run run = run("list");

    assertThat(run.exitCode).isEqualTo(ExitCodes.LOGIN_REFUSED);
    assertThat(run.err()).contains("refused the login of admin").doesNotContain("pw");
  }

  @Test
  void aForbiddenCallAndAThrottledLoginExitThree() {
    service.on("POST /api/builds/" + ID + "/cancel", new Answer(403, "", java.util.Map.of()));
    service.on("GET /api/nodes", new Answer(429, "", java.util.Map.of("Retry-After", "17")));

    assertThat(run("cancel", ID).exitCode).isEqualTo(ExitCodes.LOGIN_REFUSED);
    Run throttled = run("nodes");
    assertThat(throttled.exitCode).isEqualTo(ExitCodes.LOGIN_REFUSED);
    assertThat(throttled.err()).contains("try again in 17 s");
  }

  @Test
  void anUnreachableServiceExitsTwo() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Run run = new Run(home).env("IMAGE_FOUNDRY_PASSWORD", "pw").execute("--url", "http://127.0.0.1:" + port, "list");

    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("cannot reach the service at http://127.0.0.1:" + port);
  }

  @Test
  void aRedirectIsNotFollowedSoThePasswordGoesOnlyToTheUrlGiven() {
    try (StubService elsewhere = new StubService()) {
      elsewhere.on("GET /api/builds?limit=20", Answer.json(200, "[]"));
      service.on("GET /api/builds?limit=20", new Answer(302, "", java.util.Map.of("Location",
          elsewhere.url() + "/api/builds?limit=20")));

      Run run = run("list");

      assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
      assertThat(run.err()).contains("with 302");
      assertThat(elsewhere.requests).isEmpty();
    }
  }

  @Test
  void anUnknownBuildExitsTwo() {
    Run run = run("show", ID);

    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("not found: GET /api/builds/" + ID);
  }

  @Test
  void aCredentialsFileOthersMayReadIsRefusedWithExitTwoAndNothingIsSent() throws Exception {
    Path file = home.resolve("credentials");
    Files.writeString(file, "user=ci\npassword=pw\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    Run run = new Run(home).env("IMAGE_FOUNDRY_URL", service.url()).execute("list", "--credentials", file.toString());

    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("refusing the credentials file", "chmod 600");
    assertThat(service.requests).isEmpty();
  }

  @Test
  void cancelRetryAndEvacuatePostAndSayWhatTheServiceDoes() {
    service.on("POST /api/builds/" + ID + "/cancel", Answer.json(202, "{\"id\": \"" + ID + "\", \"status\": \"cancelling\"}"));
    service.on("POST /api/builds/" + ID + "/retry", Answer.json(409,
        "{\"id\": \"" + ID + "\", \"status\": \"the build has no failed step to retry\"}"));
    service.on("POST /api/nodes/node-2/evacuate", Answer.json(202, "{\"node\": \"node-2\", \"builds\": [\"b-7\"]}"));

    Run cancel = run("cancel", ID);
    assertThat(cancel.exitCode).isEqualTo(ExitCodes.OK);
    assertThat(cancel.out()).isEqualTo("build " + ID + ": cancelling\n");
    Run retry = run("retry", ID);
    assertThat(retry.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(retry.err()).contains("409: the build has no failed step to retry");
    Run evacuate = run("evacuate", "node-2");
    assertThat(evacuate.exitCode).isEqualTo(ExitCodes.OK);
    assertThat(evacuate.out()).contains("node node-2 evacuated", "b-7");
  }

  @Test
  void showPrintsTheBuildAndItsPhasesOrTheApisJsonOrYaml() {
    service.on("GET /api/builds/" + ID, Answer.json(200, """
        {"id": "%s", "state": "SUCCEEDED", "phase": "writeMetadata", "node": "n1", "progress": 1.0,
         "createdAt": "2026-12-06T02:00:00Z", "endedAt": "2026-12-06T02:01:00Z", "error": null,
         "metadataPath": "/srv/images/a.yaml", "images": [{"container_name": "a.img", "container_md5": "abc"}],
         "phases": [{"phase": "debootstrap", "startedAt": "2026-12-06T02:00:01Z", "endedAt": "2026-12-06T02:00:31Z",
                     "durationMs": 30000}]}""".formatted(ID)));

    Run text = run("show", ID);
    assertThat(text.exitCode).isEqualTo(ExitCodes.OK);
    assertThat(text.out()).contains("state:     SUCCEEDED", "image:     abc  /srv/images/a.img",
        "debootstrap  2026-12-06T02:00:01Z  30.0 s");
    Run json = run("show", ID, "-o", "json");
    assertThat(ServiceClient.json(json.out()).path("phases").get(0).path("durationMs").asLong()).isEqualTo(30000);
    Run yaml = run("show", ID, "-o", "yaml");
    assertThat(yaml.out()).contains("state: \"SUCCEEDED\"", "durationMs: 30000");
  }

  @Test
  void logPrintsTheLogAndFollowsIt() {
    service.on("GET /api/builds/" + ID + "/log", Answer.text("a\nb\n"));
    service.on("GET /api/builds/" + ID + "/log?follow=true", Answer.text("a\n\nb\n"));

    assertThat(run("log", ID).out()).isEqualTo("a\nb\n");
    assertThat(run("log", ID, "-f").out()).isEqualTo("a\nb\n");
  }

  @Test
  void packagesSbomAndNodes() {
    service.on("GET /api/builds/" + ID + "/packages", Answer.json(200, """
        [{"name": "less", "version": "590-2.1", "architecture": "amd64", "source": "less", "repo": "debian"}]"""));
    service.on("GET /api/builds/" + ID + "/sbom", Answer.json(200, "{\"spdxVersion\": \"SPDX-2.3\"}"));
    service.on("GET /api/nodes", Answer.json(200, """
        [{"name": "n1", "alive": true, "slotsInUse": 1, "slots": 2, "builds": ["b"], "freeBytes": 10737418240,
          "lastHeartbeat": "2026-12-06T02:00:00Z"}]"""));

    assertThat(run("packages", ID).out().lines()).containsExactly("NAME  VERSION  ARCHITECTURE  SOURCE  REPO",
        "less  590-2.1  amd64         less    debian");
    assertThat(run("sbom", ID).out()).isEqualTo("{\"spdxVersion\": \"SPDX-2.3\"}\n");
    assertThat(run("nodes").out().lines()).containsExactly("NAME  ALIVE  SLOTS  BUILDS  FREE      HEARTBEAT",
        "n1    yes    1/2    1       10.0 GiB  2026-12-06T02:00:00Z");
  }
}

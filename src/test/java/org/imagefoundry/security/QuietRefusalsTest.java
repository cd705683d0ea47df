package org.imagefoundry.security;

import org.imagefoundry.users.Roles;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Map;
import java.util.function.Supplier;
import org.camunda.bpm.engine.ProcessEngine;
import org.imagefoundry.testing.CockpitSession;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.RawHttp;
import org.imagefoundry.testing.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A refused or bad request from a user, at any door (our API, Spring's error handling, the engine REST
 * API, Cockpit's plugin, the webapps), writes at most one line to the log, and never a stack trace: a
 * client that repeats one cannot fill the disk with them.
 */
@ProcessTest
@ExtendWith(OutputCaptureExtension.class)
class QuietRefusalsTest {

  static final String PASSWORD = "quiet-test-pw";
  static final String PLUGIN = "/camunda/api/cockpit/plugin/image-foundry/default/builds";

  @LocalServerPort int port;
  @Autowired ProcessEngine engine;
  RawHttp http;

  @BeforeEach
  void setUp() throws Exception {
    // an address of its own: the wrong passwords below do not throttle the other tests' logins
    http = new RawHttp(port, InetAddress.getByName("127.0.0.4"));
    user("quietnobody", null);
    user("quietbuilder", Roles.BUILDERS);
  }

  /** A user who may open Cockpit, in {@code group} if not null. */
  void user(String id, String group) {
    if (TestUsers.create(engine, id, PASSWORD, group)) {
      TestUsers.grantCockpit(engine, id);
    }
  }

  /** Sends the request three times; each is answered {@code status} and adds at most one line, no stack trace. */
  void quiet(CapturedOutput output, String what, int status, Supplier<Integer> request) {
    for (int i = 0; i < 3; i++) {
      int before = output.getAll().length();
      assertThat(request.get()).as(what).isEqualTo(status);
      String logged = output.getAll().substring(before);
      assertThat(logged).as("%s logged", what).doesNotContain("\tat ");
      assertThat(logged.lines().count()).as("%s logged: %s", what, logged).isLessThanOrEqualTo(1);
    }
  }

  int send(String user, String method, String path, String json) {
    String authorization = user == null ? null : RawHttp.basic(user, user.equals("admin") ? ProcessTest.ADMIN_PASSWORD : PASSWORD);
    return http.send(method, path, authorization, json).status();
  }

  @Test
  void ourApiAndSpringsErrorHandling(CapturedOutput output) {
    quiet(output, "no login", 401, () -> send(null, "GET", "/api/builds", null));
    quiet(output, "a wrong password", 401, () -> http.send("GET", "/api/builds", RawHttp.basic("quietbuilder", "x"), null).status());
    quiet(output, "a broken Basic header", 401, () -> http.send("GET", "/api/builds", "Basic !!!", null).status());
    quiet(output, "a user in no group", 403, () -> send("quietnobody", "GET", "/api/builds", null));
    quiet(output, "a builder's cancel", 403, () -> send("quietbuilder", "POST", "/api/builds/x/cancel", null));
    quiet(output, "a builder on the engine REST API", 403, () -> send("quietbuilder", "GET", "/engine-rest/task", null));
    quiet(output, "an ambiguous path", 400, () -> send("quietbuilder", "GET", "/api/build%73", null));
    quiet(output, "a broken body", 400, () -> send("quietbuilder", "POST", "/api/builds", "{"));
    quiet(output, "a bad request", 400, () -> send("quietbuilder", "POST", "/api/builds", "{\"output\": 1}"));
    quiet(output, "a text body", 415, () -> http.send("POST", "/api/builds", RawHttp.basic("quietbuilder", PASSWORD), null,
        Map.of("Content-Type", "text/plain"), "hello").status());
    quiet(output, "a wrong method", 405, () -> send("admin", "DELETE", "/api/builds", null));
    quiet(output, "an overflowing page", 400, () -> send("quietbuilder", "GET", "/api/builds?limit=99999999999", null));
    quiet(output, "an unknown state", 400, () -> send("quietbuilder", "GET", "/api/builds?state=x", null));
    quiet(output, "an unknown build", 404, () -> send("quietbuilder", "GET", "/api/builds/nothing", null));
    quiet(output, "an unknown build's log", 404, () -> send("quietbuilder", "GET", "/api/builds/nothing/log?follow=true", null));
    quiet(output, "an unknown path", 404, () -> send("admin", "GET", "/api/nothing", null));
    quiet(output, "a bad character in the request line", 400, () -> send("quietbuilder", "GET", "/api/builds?q={}", null));
    quiet(output, "a huge header", 400, () -> http.send("GET", "/api/builds", RawHttp.basic("quietbuilder", PASSWORD), null,
        Map.of("X-Filler", "x".repeat(20_000))).status());
    quiet(output, "an unknown process instance", 404, () -> send("admin", "GET", "/engine-rest/process-instance/nothing", null));
  }

  @Test
  void cockpitsPluginAndTheWebapps(CapturedOutput output) {
    CockpitSession nobody = CockpitSession.logIn("http://localhost:" + port, "quietnobody", PASSWORD);
    CockpitSession builder = CockpitSession.logIn("http://localhost:" + port, "quietbuilder", PASSWORD);
    assertThat(nobody.loginStatus()).isEqualTo(200);

    quiet(output, "no session", 401, () -> send(null, "GET", PLUGIN, null));
    quiet(output, "a user in no group's log.txt", 403, () -> nobody.get(PLUGIN + "/x/log.txt", "*/*").status());
    quiet(output, "a user in no group's metadata.yaml", 403, () -> nobody.get(PLUGIN + "/x/metadata.yaml", "text/plain").status());
    quiet(output, "a user in no group's list", 403, () -> nobody.send("GET", PLUGIN + "?limit=99999999999", null).status());
    quiet(output, "a builder's cancel", 403, () -> builder.send("POST", PLUGIN + "/x/cancel", null).status());
    quiet(output, "an overflowing page", 400, () -> builder.send("GET", PLUGIN + "?limit=99999999999", null).status());
    quiet(output, "a log offset that is no number", 400, () -> builder.send("GET", PLUGIN + "/x/log?from=abc", null).status());
    quiet(output, "an unknown build's log.txt", 404, () -> builder.get(PLUGIN + "/nothing/log.txt", "*/*").status());
    quiet(output, "an unknown process instance in the webapps' engine API", 404, () -> builder.send("DELETE",
        "/camunda/api/engine/engine/default/process-instance/nothing", null).status());
    // Camunda ends a session that sent no token: a new one each time
    quiet(output, "a cancel without the CSRF token", 403, () -> CockpitSession.logIn("http://localhost:" + port,
        "quietbuilder", PASSWORD).send("POST", PLUGIN + "/x/cancel", null, false).status());
    quiet(output, "a wrong webapp password", 401, () -> CockpitSession.logIn("http://localhost:" + port, "quietbuilder", "x")
        .loginStatus());
  }
}

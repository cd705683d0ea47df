package org.imagefoundry.cockpit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.imagefoundry.engine.SlotClaims;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.CockpitSession;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.ProcessDriver;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.testing.TestUsers;
import org.imagefoundry.users.Roles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The Cockpit plugin's server side, over HTTP with Cockpit's own session login: it answers each user as
 * the API would (a builder reads but does not cancel, a user in no group gets nothing), its cancel and
 * Cockpit's delete of a build's instance both compensate, and neither works without the session's CSRF
 * token.
 */
@ProcessTest
class BuildsResourceTest {

  static final String PASSWORD = "plugin-test-pw";
  static final String BUILDS = "/camunda/api/cockpit/plugin/image-foundry/default/builds";

  @LocalServerPort int port;
  @Autowired ProcessEngine engine;
  @Autowired FakeHost host;
  @Autowired FoundrySettings settings;
  @Autowired SlotClaims slotClaims;
  @Autowired org.imagefoundry.testing.DelegateSpy failures;
  Api api;
  ProcessDriver driver;

  @BeforeEach
  void setUp() {
    init(engine);
    host.reset();
    Requests.clean(settings);
    api = new Api(base(), "admin", ProcessTest.ADMIN_PASSWORD);
    driver = new ProcessDriver(engine, slotClaims);
    cockpitUser("pluginbuilder", Roles.BUILDERS);
    cockpitUser("pluginnobody", null);
  }

  @AfterEach
  void resetClock() {
    failures.reset();
    ProcessDriver.resetClock();
  }

  String base() {
    return "http://localhost:" + port;
  }

  /** A user who may open Cockpit (an operator grants that in Camunda's Admin), in {@code group} if not null. */
  void cockpitUser(String id, String group) {
    if (TestUsers.create(engine, id, PASSWORD, group)) {
      TestUsers.grantCockpit(engine, id);
    }
  }

  ProcessInstance start() {
    String id = api.start(Requests.twoImages(settings).replace("\"less\"", "\"less\", \"" + System.nanoTime() % 1000 + "x\""));
    ProcessInstance build = engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(id)
        .singleResult();
    driver.runUntil(build, "debootstrap"); // holds loop devices and mounts: a cancel has steps to undo
    return build;
  }

  @Test
  void eachUserIsAnsweredAsTheApiWouldAnswerThem() {
    ProcessInstance build = start();
    String id = build.getBusinessKey();
    CockpitSession admin = CockpitSession.logIn(base(), "admin", ProcessTest.ADMIN_PASSWORD);
    CockpitSession builder = CockpitSession.logIn(base(), "pluginbuilder", PASSWORD);
    CockpitSession nobody = CockpitSession.logIn(base(), "pluginnobody", PASSWORD);
    assertThat(builder.loginStatus()).isEqualTo(200);
    assertThat(nobody.loginStatus()).isEqualTo(200);

    Api.Response list = admin.send("GET", BUILDS + "?state=RUNNING", null);
    assertThat(list.status()).as(list.body()).isEqualTo(200);
    JsonNode row = list.json().get(0);
    assertThat(row.get("id").asText()).isEqualTo(id);
    assertThat(row.get("processInstanceId").asText()).isEqualTo(build.getId());
    assertThat(row.get("phase").asText()).isEqualTo("debootstrap");
    assertThat(admin.send("GET", BUILDS + "/by-process-instance/" + build.getId(), null).json().get("id").asText())
        .isEqualTo(id);
    assertThat(admin.send("GET", BUILDS + "/viewer", null).json().get("mayCancel").asBoolean()).isTrue();
    JsonNode log = admin.send("GET", BUILDS + "/" + id + "/log?from=0", null).json();
    assertThat(log.get("text").asText()).contains("phase attachLoopDevices");
    assertThat(log.get("ended").asBoolean()).isFalse();
    assertThat(admin.send("GET", BUILDS + "/" + id + "/log?from=" + log.get("next").asLong(), null).json()
        .get("text").asText()).isEmpty();

    assertThat(builder.send("GET", BUILDS, null).status()).isEqualTo(200);
    assertThat(builder.send("GET", BUILDS + "/" + id + "/log?from=0", null).status()).isEqualTo(200);
    assertThat(builder.send("GET", BUILDS + "/viewer", null).json().get("mayCancel").asBoolean()).isFalse();
    assertThat(builder.send("POST", BUILDS + "/" + id + "/cancel", null).status()).isEqualTo(403);
    assertThat(builder.send("DELETE", "/camunda/api/engine/engine/default/process-instance/" + build.getId(), null)
        .status()).isEqualTo(403);

    assertThat(nobody.send("GET", BUILDS, null).status()).isEqualTo(403);
    assertThat(nobody.send("GET", BUILDS + "/" + id + "/log?from=0", null).status()).isEqualTo(403);
    assertThat(nobody.send("POST", BUILDS + "/" + id + "/cancel", null).status()).isEqualTo(403);

    assertThat(new Api(base(), null, null).get(BUILDS).status()).isIn(401, 403);
    assertThat(engine.getRuntimeService().createProcessInstanceQuery().processInstanceId(build.getId()).count())
        .as("nobody's attempt cancelled the build").isEqualTo(1);
    assertThat(api.build(id).get("state").asText()).isEqualTo("RUNNING");
  }

  @ParameterizedTest
  @ValueSource(strings = {"?limit=99999999999", "?limit=-1", "?limit=0", "?limit=abc", "?limit=1001", "?limit=1.5",
      "?offset=-1", "?offset=99999999999", "?offset=x", "?limit=10&offset=1000001", "?state=BOGUS",
      "/any/log?from=-1", "/any/log?from=abc", "/any/log?from=99999999999999999999"})
  void aPagingParameterOutOfRangeIsA400NamingIt(String query) {
    CockpitSession builder = CockpitSession.logIn(base(), "pluginbuilder", PASSWORD);

    Api.Response response = builder.send("GET", BUILDS + query, null);

    assertThat(response.status()).as(response.body()).isEqualTo(400);
    String parameter = query.substring(Math.max(query.lastIndexOf('&'), query.indexOf('?')) + 1, query.lastIndexOf('='));
    assertThat(response.json().get("problems").findValuesAsText("field")).containsExactly(parameter);
  }

  @Test
  void goodPagesAreServed() {
    CockpitSession builder = CockpitSession.logIn(base(), "pluginbuilder", PASSWORD);
    for (String query : new String[] {"", "?limit=1", "?limit=1000&offset=1000000", "?state=RUNNING&limit=1&offset=0"}) {
      assertThat(builder.send("GET", BUILDS + query, null).status()).as(query).isEqualTo(200);
    }
  }

  @Test
  void aBuildInIncidentShowsTheIncidentsMessageAsItsErrorHereAndInTheApi() {
    failures.failTransiently("debootstrap", 2);
    ProcessInstance build = start();
    driver.run(build);
    String id = build.getBusinessKey();
    CockpitSession admin = CockpitSession.logIn(base(), "admin", ProcessTest.ADMIN_PASSWORD);

    JsonNode row = null;
    for (JsonNode candidate : admin.send("GET", BUILDS + "?state=INCIDENT", null).json()) {
      row = id.equals(candidate.get("id").asText()) ? candidate : row;
    }

    assertThat(row).as("the build in the panel's INCIDENT list").isNotNull();
    String error = api.build(id).get("error").asText();
    assertThat(error).startsWith("debootstrap: ").contains("injected transient failure");
    assertThat(row.get("error").asText()).isEqualTo(error.lines().findFirst().orElseThrow());
  }

  @Test
  void cancelInCockpitCompensatesAndNeedsTheCsrfToken() {
    ProcessInstance build = start();
    String id = build.getBusinessKey();
    CockpitSession admin = CockpitSession.logIn(base(), "admin", ProcessTest.ADMIN_PASSWORD);

    CockpitSession forged = CockpitSession.logIn(base(), "admin", ProcessTest.ADMIN_PASSWORD);
    assertThat(forged.send("POST", BUILDS + "/" + id + "/cancel", null, false).status()).isEqualTo(403);
    assertThat(api.build(id).get("state").asText()).isEqualTo("RUNNING");

    assertThat(admin.send("POST", BUILDS + "/" + id + "/cancel", null).status()).isEqualTo(202);
    driver.run(build);

    JsonNode ended = api.build(id);
    assertThat(ended.get("state").asText()).isEqualTo("CANCELLED");
    assertThat(ended.get("error").asText()).isEqualTo("cancelled by admin in Cockpit");
    assertThat(driver.activities(build)).contains("undoAttachLoopDevices", "undoCreateSparseFiles", "sweepAfterCancel");
    assertThat(admin.send("POST", BUILDS + "/" + id + "/cancel", null).status()).isEqualTo(409);
  }

  @Test
  void cockpitsDeleteOfABuildsInstanceCompensatesLikeTheCancel() {
    ProcessInstance build = start();
    String id = build.getBusinessKey();
    String delete = "/camunda/api/engine/engine/default/process-instance/" + build.getId();
    CockpitSession admin = CockpitSession.logIn(base(), "admin", ProcessTest.ADMIN_PASSWORD);

    assertThat(new Api(base(), null, null).delete(delete).status()).isEqualTo(401);
    assertThat(admin.send("DELETE", delete, null, false).status()).isEqualTo(403);
    assertThat(admin.send("POST", "/camunda/api/engine/engine/default/process-instance/delete",
        "{\"processInstanceIds\": [\"" + build.getId() + "\"]}").status()).isEqualTo(403);
    assertThat(api.build(id).get("state").asText()).isEqualTo("RUNNING");

    assertThat(admin.send("DELETE", delete + "?skipCustomListeners=true&skipIoMappings=true", null).status())
        .isEqualTo(204);
    driver.run(build);

    JsonNode ended = api.build(id);
    assertThat(ended.get("state").asText()).isEqualTo("CANCELLED");
    assertThat(ended.get("error").asText()).isEqualTo("cancelled by admin with a delete of its process instance");
    assertThat(driver.activities(build)).contains("undoAttachLoopDevices", "sweepAfterCancel");
  }

  @Test
  void aDeleteThroughTheEngineRestApiCompensatesToo() {
    ProcessInstance build = start();
    assertThat(api.delete("/engine-rest/process-instance/" + build.getId()).status()).isEqualTo(204);
    assertThat(api.post("/engine-rest/process-instance/delete", "{\"processInstanceIds\": [\"" + build.getId() + "\"]}")
        .status()).isEqualTo(403);
    driver.run(build);
    assertThat(api.build(build.getBusinessKey()).get("state").asText()).isEqualTo("CANCELLED");
    assertThat(driver.activities(build)).contains("undoAttachLoopDevices", "sweepAfterCancel");
  }

  @Test
  void thePhasesPictureHasEveryTaskItsCompensationAndEveryFailedAttempt() {
    // attachLoopDevices fails once; the build is cancelled while the task waits for its retry
    host.failOn(List.of("losetup", "--find", "--show"), 1, 1, "losetup: cannot find an unused loop device");
    ProcessInstance build = start();
    String id = build.getBusinessKey();
    CockpitSession admin = CockpitSession.logIn(base(), "admin", ProcessTest.ADMIN_PASSWORD);
    assertThat(admin.send("POST", BUILDS + "/" + id + "/cancel", null).status()).isEqualTo(202);
    driver.run(build);

    Api.Response answer = admin.send("GET", BUILDS + "/" + id + "/phases", null);
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    JsonNode timeline = answer.json();
    assertThat(timeline.get("state").asText()).isEqualTo("CANCELLED");
    Map<String, String> kinds = new java.util.LinkedHashMap<>();
    timeline.get("bars").forEach(bar -> kinds.put(bar.get("phase").asText(), bar.get("kind").asText()));
    // cancelled while attachLoopDevices waited for its retry: that task never completed, what came before is undone
    assertThat(kinds).containsEntry("createChroot", "phase").containsEntry("createSparseFiles", "phase")
        .containsEntry("undoCreateSparseFiles", "compensation").containsEntry("undoCreateChroot", "compensation")
        .containsEntry("sweepAfterCancel", "sweep").doesNotContainKey("attachLoopDevices");
    assertThat(List.copyOf(kinds.keySet()).indexOf("createSparseFiles"))
        .isLessThan(List.copyOf(kinds.keySet()).indexOf("undoCreateSparseFiles"));
    timeline.get("bars").forEach(bar -> assertThat(bar.get("startedAt").isTextual()).isTrue());
    // the failed attempt rolled its task back: only the job log remembers it
    JsonNode failed = timeline.get("failedAttempts");
    assertThat(failed).hasSize(1);
    assertThat(failed.get(0).get("phase").asText()).isEqualTo("attachLoopDevices");
    assertThat(failed.get(0).get("message").asText()).contains("losetup");
    assertThat(java.time.Instant.parse(failed.get(0).get("at").asText()))
        .isBeforeOrEqualTo(java.time.Instant.parse(bar(timeline, "sweepAfterCancel").get("startedAt").asText()));

    CockpitSession nobody = CockpitSession.logIn(base(), "pluginnobody", PASSWORD);
    assertThat(nobody.send("GET", BUILDS + "/" + id + "/phases", null).status()).isEqualTo(403);
    assertThat(admin.send("GET", BUILDS + "/no-such-build/phases", null).status()).isEqualTo(404);
  }

  static JsonNode bar(JsonNode timeline, String phase) {
    for (JsonNode bar : timeline.get("bars")) {
      if (bar.get("phase").asText().equals(phase)) {
        return bar;
      }
    }
    throw new AssertionError("no bar of " + phase + " in " + timeline);
  }
}

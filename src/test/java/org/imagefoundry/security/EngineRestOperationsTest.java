package org.imagefoundry.security;

import org.imagefoundry.users.Roles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.imagefoundry.engine.SlotClaims;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.CockpitSession;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.ProcessDriver;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.RawHttp;
import org.imagefoundry.testing.Requests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The engine REST API's two doors, {@code /engine-rest} and the webapps' {@code /camunda/api/engine}:
 * an anonymous caller is answered 401 before a byte of its body is read, and with nothing that names a
 * path or a setting; an admin, through either door, may read, start, cancel, retry and edit
 * {@code request} and {@code mirror}, and nothing that would end a build without its compensation,
 * keep its slot, deploy code, or point it at another build's resources: each refusal leaves the build
 * running where it was, and its cancel then undoes what it took.
 */
@ProcessTest
class EngineRestOperationsTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String WEBAPP = "/camunda/api/engine/engine/default";

  @LocalServerPort int port;
  @Autowired ProcessEngine engine;
  @Autowired FakeHost host;
  @Autowired FoundrySettings settings;
  @Autowired SlotClaims slotClaims;
  Api api;
  ProcessDriver driver;

  @BeforeEach
  void setUp() {
    init(engine);
    host.reset();
    Requests.clean(settings);
    api = new Api(base(), "admin", ProcessTest.ADMIN_PASSWORD);
    driver = new ProcessDriver(engine, slotClaims);
  }

  @AfterEach
  void resetClock() {
    ProcessDriver.resetClock();
  }

  String base() {
    return "http://localhost:" + port;
  }

  String definitionId() {
    return engine.getRepositoryService().createProcessDefinitionQuery().processDefinitionKey("buildImage")
        .latestVersion().singleResult().getId();
  }

  long builds() {
    return engine.getHistoryService().createHistoricProcessInstanceQuery().processDefinitionKey("buildImage").count();
  }

  /** Every path that starts a build, through both doors. */
  List<String> startDoors() {
    String key = "/process-definition/key/buildImage";
    String id = "/process-definition/" + definitionId();
    List<String> doors = new ArrayList<>();
    for (String engineRoot : List.of("/engine-rest", "/engine-rest/engine/default", WEBAPP)) {
      for (String start : List.of(key + "/start", key + "/submit-form", key + "/tenant-id/t1/start",
          key + "/tenant-id/t1/submit-form", id + "/start", id + "/submit-form", key + "/start/")) {
        doors.add(engineRoot + start);
      }
    }
    return doors;
  }

  /** The webapps' session cookie and CSRF token of a visitor who opened Cockpit's page but did not log in. */
  Map<String, String> sessionWithoutLogin() {
    RawHttp.Response page = new RawHttp(port).send("GET", "/camunda/app/cockpit/default/", null, null);
    String cookies = page.headers().entrySet().stream().filter(h -> h.getKey().equals("set-cookie"))
        .map(h -> h.getValue().split(";")[0]).findFirst().orElse("");
    return cookies.isEmpty() ? Map.of() : Map.of("Cookie", cookies);
  }

  @Test
  void anAnonymousStartIsAnswered401BeforeItsBodyIsReadAndNamesNothing() {
    long before = builds();
    List<Map<String, String>> visitors = List.of(Map.of(), sessionWithoutLogin(),
        Map.of("Cookie", "JSESSIONID=0123456789ABCDEF0123456789ABCDEF"));
    for (String door : startDoors()) {
      for (Map<String, String> visitor : visitors) {
        // 1 MiB announced and never sent: only a server that did not wait for it can answer
        RawHttp.Response response = new RawHttp(port).sendWithoutBody("POST", door, null, 1 << 20, visitor);
        assertThat(response.status()).as(door + " " + visitor + ": " + response.body()).isEqualTo(401);
        assertNamesNothing(door, response.body());
      }
    }
    // a body larger than any the service takes, announced and never sent
    RawHttp.Response huge = new RawHttp(port).sendWithoutBody("POST", WEBAPP + "/process-definition/key/buildImage/start",
        null, 10L << 30, Map.of());
    assertThat(huge.status()).isEqualTo(401);
    // a wrong password is no login either, and its answer names nothing
    RawHttp.Response wrong = new RawHttp(port).sendWithoutBody("POST", "/engine-rest/process-definition/key/buildImage/start",
        RawHttp.basic("admin", "wrong"), 1 << 20, Map.of());
    assertThat(wrong.status()).isEqualTo(401);
    assertNamesNothing("wrong password", wrong.body());
    assertThat(builds()).isEqualTo(before);
  }

  void assertNamesNothing(String door, String body) {
    assertThat(body).as(door).doesNotContain("engine-rest", "process-definition", "image-foundry", "allowed", "\"path\"");
    for (Path root : settings.allowedOutputRoots()) {
      assertThat(body).as(door).doesNotContain(root.toString());
    }
  }

  @Test
  void anAnonymousCallerChangesNothingThroughTheWebappsDoor() {
    ProcessInstance build = start();
    for (String[] call : new String[][] {{"DELETE", "/process-instance/" + build.getId()},
        {"PUT", "/process-instance/" + build.getId() + "/variables/buildId"}, {"POST", "/deployment/create"},
        {"POST", "/message"}, {"PUT", "/process-instance/" + build.getId() + "/suspended"}}) {
      RawHttp.Response response = new RawHttp(port).sendWithoutBody(call[0], WEBAPP + call[1], null, 4096, Map.of());
      assertThat(response.status()).as(call[0] + " " + call[1]).isEqualTo(401);
    }
    assertStillRunningAndCancelsWithCompensation(build);
  }

  private static final AtomicLong STARTS = new AtomicLong(System.nanoTime() % 1000);

  ProcessInstance start() {
    long n = STARTS.incrementAndGet();
    // each build its own output directory: outputs belong to builds
    String id = api.start(Requests.twoImagesIn(settings, "operations-" + n).replace("\"less\"", "\"less\", \"" + n + "x\""));
    ProcessInstance build = engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(id)
        .singleResult();
    driver.runUntil(build, "debootstrap"); // holds loop devices and mounts: a cancel has steps to undo
    return build;
  }

  /** The build waits where it did, not suspended, with its node (its slot); its cancel compensates. */
  void assertStillRunningAndCancelsWithCompensation(ProcessInstance build) {
    var runtime = engine.getRuntimeService();
    ProcessInstance now = runtime.createProcessInstanceQuery().processInstanceId(build.getId()).singleResult();
    assertThat(now).as("the build still runs").isNotNull();
    assertThat(now.isSuspended()).isFalse();
    assertThat(runtime.getActiveActivityIds(build.getId())).containsExactly("debootstrap");
    assertThat(runtime.getVariable(build.getId(), BuildVariables.BUILD_ID)).isEqualTo(build.getBusinessKey());
    assertThat(runtime.getVariable(build.getId(), BuildVariables.NODE)).as("its slot").isNotNull();
    assertThat(api.build(build.getBusinessKey()).get("state").asText()).isEqualTo("RUNNING");

    assertThat(api.post("/api/builds/" + build.getBusinessKey() + "/cancel", "").status()).isEqualTo(202);
    driver.run(build);
    assertThat(api.build(build.getBusinessKey()).get("state").asText()).isEqualTo("CANCELLED");
    assertThat(driver.activities(build)).contains("undoAttachLoopDevices", "undoCreateSparseFiles", "sweepAfterCancel");
  }

  /** What an admin may not do to a running build, through the engine REST API (paths below the engine). */
  List<String[]> refusedOperations(ProcessInstance build) {
    String instance = build.getId();
    String definition = build.getProcessDefinitionId();
    String job = engine.getManagementService().createJobQuery().processInstanceId(instance).singleResult().getId();
    String jobDefinition = engine.getManagementService().createJobQuery().processInstanceId(instance).singleResult()
        .getJobDefinitionId();
    String deployment = engine.getRepositoryService().getProcessDefinition(definition).getDeploymentId();
    String ids = "{\"processInstanceIds\": [\"" + instance + "\"]}";
    return List.<String[]>of(
        // deployments: code that would run as the service
        new String[] {"POST", "/deployment/create", "{}"},
        new String[] {"POST", "/deployment/" + deployment + "/redeploy", "{}"},
        new String[] {"DELETE", "/deployment/" + deployment + "?cascade=true", null},
        new String[] {"DELETE", "/process-definition/" + definition + "?cascade=true", null},
        new String[] {"DELETE", "/process-definition/key/buildImage/delete?cascade=true", null},
        new String[] {"PUT", "/process-definition/" + definition + "/history-time-to-live", "{\"historyTimeToLive\": 0}"},
        // ends or moves without compensation
        new String[] {"POST", "/process-instance/" + instance + "/modification",
            "{\"instructions\": [{\"type\": \"cancel\", \"activityId\": \"debootstrap\"}]}"},
        new String[] {"POST", "/process-instance/" + instance + "/modification-async",
            "{\"instructions\": [{\"type\": \"cancel\", \"activityId\": \"debootstrap\"}]}"},
        new String[] {"POST", "/modification/execute", "{\"processDefinitionId\": \"" + definition + "\", \"processInstanceIds\": [\""
            + instance + "\"], \"instructions\": [{\"type\": \"cancel\", \"activityId\": \"debootstrap\"}]}"},
        new String[] {"POST", "/modification/executeAsync", "{}"},
        new String[] {"POST", "/migration/execute", "{}"},
        new String[] {"POST", "/migration/executeAsync", "{}"},
        new String[] {"POST", "/process-definition/" + definition + "/restart", ids},
        new String[] {"POST", "/process-definition/" + definition + "/restart-async", ids},
        new String[] {"POST", "/process-instance/delete", ids},
        new String[] {"POST", "/process-instance/delete-historic-query-based", "{\"historicProcessInstanceQuery\": {}}"},
        new String[] {"POST", "/history/process-instance/delete", ids},
        new String[] {"DELETE", "/history/process-instance/" + instance, null},
        new String[] {"POST", "/history/process-instance/set-removal-time", "{}"},
        // suspension: a suspended build keeps its slot and cannot be cancelled
        new String[] {"PUT", "/process-instance/" + instance + "/suspended", "{\"suspended\": true}"},
        new String[] {"PUT", "/process-instance/suspended", "{\"processDefinitionKey\": \"buildImage\", \"suspended\": true}"},
        new String[] {"POST", "/process-instance/suspended-async", "{\"processInstanceIds\": [\"" + instance + "\"], \"suspended\": true}"},
        new String[] {"PUT", "/process-definition/" + definition + "/suspended", "{\"suspended\": true, \"includeProcessInstances\": true}"},
        new String[] {"PUT", "/process-definition/key/buildImage/suspended", "{\"suspended\": true, \"includeProcessInstances\": true}"},
        new String[] {"PUT", "/process-definition/suspended", "{\"processDefinitionKey\": \"buildImage\", \"suspended\": true}"},
        new String[] {"PUT", "/job-definition/" + jobDefinition + "/suspended", "{\"suspended\": true, \"includeJobs\": true}"},
        new String[] {"PUT", "/job-definition/suspended", "{\"processDefinitionKey\": \"buildImage\", \"suspended\": true}"},
        new String[] {"PUT", "/job/" + job + "/suspended", "{\"suspended\": true}"},
        new String[] {"PUT", "/job/suspended", "{\"processInstanceId\": \"" + instance + "\", \"suspended\": true}"},
        // driving a build past its slot, its timers or its steps
        new String[] {"POST", "/message", "{\"messageName\": \"buildSlotFree\", \"processInstanceId\": \"" + instance + "\"}"},
        new String[] {"POST", "/signal", "{\"name\": \"anything\"}"},
        new String[] {"POST", "/condition", "{\"variables\": {}}"},
        new String[] {"POST", "/execution/" + instance + "/signal", "{}"},
        new String[] {"POST", "/job/" + job + "/execute", null},
        new String[] {"PUT", "/job/" + job + "/duedate", "{\"duedate\": \"2000-01-01T00:00:00.000+0000\"}"},
        new String[] {"DELETE", "/job/" + job, null},
        new String[] {"DELETE", "/batch/nothing", null});
  }

  @Test
  void anAdminCannotDeployModifyMigrateSuspendOrDeleteABuildThroughEitherDoor() {
    ProcessInstance build = start();
    long deployments = engine.getRepositoryService().createDeploymentQuery().count();
    CockpitSession cockpit = CockpitSession.logIn(base(), "admin", ProcessTest.ADMIN_PASSWORD);
    List<String> wrong = new ArrayList<>();
    for (String[] call : refusedOperations(build)) {
      int basic = new RawHttp(port).send(call[0], "/engine-rest" + call[1], RawHttp.basic("admin", ProcessTest.ADMIN_PASSWORD),
          call[2]).status();
      int named = new RawHttp(port).send(call[0], "/engine-rest/engine/default" + call[1],
          RawHttp.basic("admin", ProcessTest.ADMIN_PASSWORD), call[2]).status();
      int webapp = cockpit.send(call[0], WEBAPP + call[1], call[2]).status();
      if (basic != 403 || named != 403 || webapp != 403) {
        wrong.add(call[0] + " " + call[1] + ": " + basic + "/" + named + "/" + webapp);
      }
    }
    assertThat(wrong).as("answered other than 403 (engine-rest/named engine/webapp)").isEmpty();
    assertThat(engine.getRepositoryService().createDeploymentQuery().count()).isEqualTo(deployments);
    assertThat(engine.getHistoryService().createHistoricProcessInstanceQuery().processInstanceId(build.getId()).count())
        .isEqualTo(1);
    assertStillRunningAndCancelsWithCompensation(build);
  }

  @Test
  void theVariablesThatNameABuildsResourcesAreNotEditedThroughEitherDoor() throws Exception {
    ProcessInstance build = start();
    ProcessInstance other = start();
    String instance = build.getId();
    var runtime = engine.getRuntimeService();
    Map<String, Object> before = runtime.getVariables(instance);
    String otherId = JSON.writeValueAsString(Map.of("value", other.getBusinessKey(), "type", "String"));
    CockpitSession cockpit = CockpitSession.logIn(base(), "admin", ProcessTest.ADMIN_PASSWORD);
    List<String[]> refused = new ArrayList<>();
    for (String scope : List.of("/process-instance/" + instance + "/variables", "/execution/" + instance + "/localVariables")) {
      for (String name : List.of(BuildVariables.BUILD_ID, BuildVariables.NODE, BuildVariables.OUTPUT_PATHS,
          BuildVariables.EVACUATED_FROM, BuildVariables.CONTENT_KEY, BuildVariables.REQUEST_HASH, BuildVariables.ERROR,
          "somethingNew")) {
        refused.add(new String[] {"PUT", scope + "/" + name, otherId});
        refused.add(new String[] {"POST", scope, "{\"modifications\": {\"" + name + "\": " + otherId + "}}"});
        refused.add(new String[] {"DELETE", scope + "/" + name, null});
      }
      refused.add(new String[] {"POST", scope, "{\"deletions\": [\"" + BuildVariables.NODE + "\"]}"});
      refused.add(new String[] {"POST", scope, "{\"modifications\": {\"mirror\": {\"value\": \"http://127.0.0.1:9/debian\","
          + " \"type\": \"String\"}}, \"deletions\": [\"request\"]}"});
      refused.add(new String[] {"DELETE", scope + "/" + BuildVariables.REQUEST, null});
      refused.add(new String[] {"PUT", scope + "/" + BuildVariables.REQUEST,
          "{\"value\": \"rO0AB\", \"type\": \"Object\", \"valueInfo\": {\"objectTypeName\": \"java.lang.String\","
              + " \"serializationDataFormat\": \"application/x-java-serialized-object\"}}"});
      refused.add(new String[] {"POST", scope + "/" + BuildVariables.REQUEST + "/data", "{}"});
      refused.add(new String[] {"PUT", scope + "/" + BuildVariables.MIRROR, "{\"value\": {\"uri\": \"x\"}}"});
      refused.add(new String[] {"PUT", scope + "/" + BuildVariables.MIRROR, "{\"value\": \"http://127.0.0.1:9/debian\"}"});
      refused.add(new String[] {"POST", scope, "{\"modifications\": {\"mirror\": {\"value\": 42, \"type\": \"String\"}}}"});
    }
    refused.add(new String[] {"POST", "/process-instance/variables-async",
        "{\"processInstanceIds\": [\"" + instance + "\"], \"variables\": {\"buildId\": " + otherId + "}}"});
    refused.add(new String[] {"DELETE", "/history/variable-instance/nothing", null});
    List<String> wrong = new ArrayList<>();
    for (String[] call : refused) {
      int basic = new RawHttp(port).send(call[0], "/engine-rest" + call[1], RawHttp.basic("admin", ProcessTest.ADMIN_PASSWORD),
          call[2]).status();
      int webapp = cockpit.send(call[0], WEBAPP + call[1], call[2]).status();
      if (basic != 403 || webapp != 403) {
        wrong.add(call[0] + " " + call[1] + " " + call[2] + ": " + basic + "/" + webapp);
      }
    }
    assertThat(wrong).as("answered other than 403 (engine-rest/webapp)").isEmpty();
    assertThat(runtime.getVariables(instance).toString()).isEqualTo(before.toString());

    // what an admin may edit, as docs/security.md says: mirror and request, which every step checks again
    String mirror = JSON.writeValueAsString(Map.of("value", before.get(BuildVariables.MIRROR), "type", "String"));
    assertThat(new RawHttp(port).send("PUT", "/engine-rest/process-instance/" + instance + "/variables/mirror",
        RawHttp.basic("admin", ProcessTest.ADMIN_PASSWORD), mirror).status()).isEqualTo(204);
    assertThat(cockpit.send("PUT", WEBAPP + "/execution/" + instance + "/localVariables/mirror", mirror).status())
        .isEqualTo(204);
    JsonNode request = JSON.readTree(new RawHttp(port).send("GET", "/engine-rest/process-instance/" + instance
        + "/variables/request?deserializeValue=false", RawHttp.basic("admin", ProcessTest.ADMIN_PASSWORD), null).body());
    String modify = JSON.writeValueAsString(Map.of("modifications", Map.of("request",
        Map.of("value", request.get("value").asText(), "type", request.get("type").asText()), "mirror", JSON.readTree(mirror))));
    assertThat(cockpit.send("POST", WEBAPP + "/process-instance/" + instance + "/variables", modify).status()).isEqualTo(204);
    assertThat(runtime.getVariable(instance, BuildVariables.BUILD_ID)).isEqualTo(build.getBusinessKey());
    assertStillRunningAndCancelsWithCompensation(build);
    assertStillRunningAndCancelsWithCompensation(other);
  }

  @Test
  void whatAnAdminNeedsStillWorksThroughEitherDoor() {
    ProcessInstance build = start();
    String instance = build.getId();
    String job = engine.getManagementService().createJobQuery().processInstanceId(instance).singleResult().getId();
    CockpitSession cockpit = CockpitSession.logIn(base(), "admin", ProcessTest.ADMIN_PASSWORD);
    RawHttp raw = new RawHttp(port);
    String admin = RawHttp.basic("admin", ProcessTest.ADMIN_PASSWORD);

    assertThat(raw.send("POST", "/engine-rest/process-instance", admin, "{\"businessKey\": \"" + build.getBusinessKey() + "\"}")
        .body()).contains(instance);
    assertThat(raw.send("POST", "/engine-rest/history/process-instance/count", admin, "{}").status()).isEqualTo(200);
    assertThat(cockpit.send("POST", WEBAPP + "/variable-instance?deserializeValues=false",
        "{\"processInstanceIdIn\": [\"" + instance + "\"]}").body()).contains("buildId");
    assertThat(cockpit.send("POST", WEBAPP + "/job/count", "{\"processInstanceId\": \"" + instance + "\"}").status())
        .isEqualTo(200);
    assertThat(cockpit.send("GET", WEBAPP + "/process-instance/" + instance + "/activity-instances", null).status())
        .isEqualTo(200);
    // a retry: the job's retries, as Cockpit's retry dialog and its bulk retry set them
    assertThat(cockpit.send("PUT", WEBAPP + "/job/" + job + "/retries", "{\"retries\": 3}").status()).isEqualTo(204);
    assertThat(raw.send("PUT", "/engine-rest/job/" + job + "/retries", admin, "{\"retries\": 3}").status()).isEqualTo(204);
    assertThat(raw.send("POST", "/engine-rest/job/retries", admin, "{\"jobIds\": [\"" + job + "\"], \"retries\": 3}")
        .status()).isEqualTo(200);
    // users and groups: the Admin webapp's work
    assertThat(cockpit.send("POST", WEBAPP + "/user/create",
        "{\"profile\": {\"id\": \"opsuser\"}, \"credentials\": {\"password\": \"a-long-password-1\"}}").status()).isEqualTo(204);
    assertThat(raw.send("PUT", "/engine-rest/group/" + Roles.BUILDERS + "/members/opsuser", admin, null).status())
        .isEqualTo(204);
    assertThat(raw.send("DELETE", "/engine-rest/user/opsuser", admin, null).status()).isEqualTo(204);
    // Tasklist's filters (without expressions), and incident annotations reach the engine
    RawHttp.Response filter = raw.send("POST", "/engine-rest/filter/create", admin,
        "{\"resourceType\": \"Task\", \"name\": \"all\", \"query\": {}}");
    assertThat(filter.status()).as(filter.body()).isEqualTo(200);
    String filterId = filter.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
    assertThat(cockpit.send("POST", WEBAPP + "/filter/" + filterId + "/count", "{}").status()).isEqualTo(200);
    assertThat(raw.send("DELETE", "/engine-rest/filter/" + filterId, admin, null).status()).isEqualTo(204);
    assertThat(raw.send("PUT", "/engine-rest/incident/no-such-incident/annotation", admin, "{\"annotation\": \"x\"}")
        .body()).doesNotContain("is refused");
    assertStillRunningAndCancelsWithCompensation(build);
  }

  @Test
  void aMethodOverrideHeaderMakesNoGetIntoAChange() {
    ProcessInstance build = start();
    String admin = RawHttp.basic("admin", ProcessTest.ADMIN_PASSWORD);
    for (String header : EngineRestOperations.METHOD_OVERRIDES) {
      RawHttp.Response response = new RawHttp(port).send("GET", "/engine-rest/process-instance/" + build.getId()
          + "/suspended", admin, "{\"suspended\": true}", Map.of(header, "PUT"));
      assertThat(response.status()).as(header).isEqualTo(403);
      assertThat(new RawHttp(port).send("GET", "/engine-rest/process-instance/" + build.getId(), null, null,
          Map.of(header, "DELETE")).status()).as(header + " anonymous").isEqualTo(401);
    }
    assertStillRunningAndCancelsWithCompensation(build);
  }

  @Test
  void aTasklistFilterEvaluatesNoExpression() throws Exception {
    Path marker = java.nio.file.Files.createTempDirectory("filter-expression").resolve("exec-ran");
    String admin = RawHttp.basic("admin", ProcessTest.ADMIN_PASSWORD);
    String exec = "${''.getClass().forName('java.lang.Runtime').getMethod('getRuntime').invoke(null)"
        + ".exec('touch " + marker + "')}";
    String filter = JSON.writeValueAsString(Map.of("resourceType", "Task", "name", "hostile",
        "query", Map.of("assigneeExpression", exec)));
    RawHttp.Response created = new RawHttp(port).send("POST", "/engine-rest/filter/create", admin, filter);
    if (created.status() == 200) {
      String id = JSON.readTree(created.body()).get("id").asText();
      RawHttp.Response listed = new RawHttp(port).send("POST", "/engine-rest/filter/" + id + "/list", admin, "{}");
      assertThat(listed.status()).as(listed.body()).isNotEqualTo(200);
    } else {
      assertThat(created.status()).as(created.body()).isEqualTo(400);
    }
    assertThat(new RawHttp(port).send("POST", "/engine-rest/task", admin,
        JSON.writeValueAsString(Map.of("assigneeExpression", exec))).status()).isNotEqualTo(200);
    assertThat(marker).doesNotExist();
  }
}

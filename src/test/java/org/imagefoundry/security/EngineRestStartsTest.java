package org.imagefoundry.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.history.HistoricDetail;
import org.camunda.bpm.engine.history.HistoricVariableUpdate;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.ProcessDriver;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.RawHttp;
import org.imagefoundry.testing.Requests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Starts through the engine REST API are checked like ours, by every path and with no flag to skip the
 * check; a business key is a fresh build id or refused, and no build id names a file it should not; a
 * root password, however given, never appears in the log, the API, the engine's variables or its history.
 */
@ProcessTest
class EngineRestStartsTest {

  static final String PASSWORD = "Sup3r-Secret-Root-Pw";
  static final ObjectMapper JSON = new ObjectMapper();

  @LocalServerPort int port;
  @Autowired ProcessEngine engine;
  @Autowired org.imagefoundry.engine.SlotClaims slotClaims;
  @Autowired FakeHost host;
  @Autowired FoundrySettings settings;
  Api api;

  @BeforeEach
  void setUp() {
    init(engine);
    host.reset();
    Requests.clean(settings);
    api = new Api("http://localhost:" + port, "admin", ProcessTest.ADMIN_PASSWORD);
  }

  @AfterEach
  void resetClock() {
    ProcessDriver.resetClock();
  }

  String engineStart(String request) throws Exception {
    return JSON.writeValueAsString(Map.of("variables", Map.of("request", Map.of("value", request, "type", "String"))));
  }

  @Test
  void aHostileRequestThroughTheEngineRestApiIsRefusedLikeOurs() throws Exception {
    long before = engine.getRuntimeService().createProcessInstanceQuery().count();
    String hostile = Requests.twoImages(settings).replace("\"less\"", "\"less; rm -rf /\"");

    Api.Response response = api.post("/engine-rest/process-definition/key/buildImage/start", engineStart(hostile));

    assertThat(response.status()).as(response.body()).isEqualTo(400);
    assertThat(response.json().get("problems").findValuesAsText("field")).contains("packages[0]");
    assertThat(api.post("/engine-rest/process-definition/key/buildImage/start", "{\"variables\": {}}").status())
        .isEqualTo(400);
    assertThat(engine.getRuntimeService().createProcessInstanceQuery().count()).isEqualTo(before);
  }

  long builds() {
    return engine.getHistoryService().createHistoricProcessInstanceQuery().processDefinitionKey("buildImage").count();
  }

  RawHttp.Response asAdmin(String path, String body) {
    return new RawHttp(port).send("POST", path, RawHttp.basic("admin", ProcessTest.ADMIN_PASSWORD), body);
  }

  @Test
  void everyPathThatStartsABuildGoesThroughTheRequestCheck() throws Exception {
    String hostile = engineStart(Requests.twoImages(settings).replace("\"less\"", "\"less; rm -rf /\""));
    String key = "/process-definition/key/buildImage";
    String id = "/process-definition/" + engine.getRepositoryService().createProcessDefinitionQuery()
        .processDefinitionKey("buildImage").latestVersion().singleResult().getId();
    long before = builds();

    for (String path : List.of("/engine-rest" + key + "/start", "/engine-rest" + key + "/start/",
        "/engine-rest" + key + "/submit-form", "/engine-rest" + key + "/tenant-id/t1/start",
        "/engine-rest" + key + "/tenant-id/t1/submit-form", "/engine-rest" + id + "/start",
        "/engine-rest" + id + "/submit-form", "/engine-rest/engine/default" + key + "/start",
        "/camunda/api/engine/engine/default" + key + "/start",
        "/camunda/api/engine/engine/default" + id + "/submit-form")) {
      RawHttp.Response response = asAdmin(path, hostile);
      assertThat(response.status()).as(path + ": " + response.body()).isEqualTo(400);
      assertThat(JSON.readTree(response.body()).get("problems").findValuesAsText("field")).as(path).contains("packages[0]");
    }
    // written another way: refused before anything reads the body
    for (String path : List.of("/engine-rest/process-definition/key/build%49mage/start",
        "/engine-rest/process-definition/key/buildImage/star%74", "/engine-rest/process-definition/key/buildImage;x=y/start",
        "/engine-rest/process-definition/key/buildImage/start;x=y", "/engine-rest//process-definition/key/buildImage/start",
        "/engine-rest/./process-definition/key/buildImage/start", "/engine-rest/x/../process-definition/key/buildImage/start",
        "/engine-rest/process-definition/key/buildImage%2Fstart", "/engine-rest/process-definition/key/buildImage/%2e/start",
        "/camunda/api/engine/engine/default/process-definition/key/buildImag%65/start")) {
      assertThat(asAdmin(path, hostile).status()).as(path).isEqualTo(400);
    }
    // another method, asking to be taken for POST: never a start
    for (String method : List.of("PUT", "GET", "PATCH")) {
      RawHttp.Response response = new RawHttp(port).send(method, "/engine-rest" + key + "/start",
          RawHttp.basic("admin", ProcessTest.ADMIN_PASSWORD), hostile, Map.of("X-HTTP-Method-Override", "POST"));
      assertThat(response.status()).as(method).isIn(400, 403, 404, 405);
    }
    assertThat(builds()).isEqualTo(before);
  }

  @Test
  void flagsThatWouldSkipTheCheckOrTheStartEventAreRefused() throws Exception {
    String request = Requests.twoImages(settings);
    long before = builds();
    Map<String, Object> refused = Map.of("skipCustomListeners", true, "skipIoMappings", true,
        "startInstructions", List.of(Map.of("type", "startBeforeActivity", "activityId", "createChroot")),
        "caseInstanceId", "x");
    for (var flag : refused.entrySet()) {
      Map<String, Object> start = Map.of("variables", Map.of("request", Map.of("value", request, "type", "String")),
          flag.getKey(), flag.getValue());
      for (String path : List.of("/engine-rest/process-definition/key/buildImage/start",
          "/engine-rest/process-definition/key/buildImage/submit-form")) {
        RawHttp.Response response = asAdmin(path, JSON.writeValueAsString(start));
        assertThat(response.status()).as(flag + " " + response.body()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("problems").findValuesAsText("field")).containsExactly(flag.getKey());
      }
    }
    assertThat(builds()).isEqualTo(before);

    Map<String, Object> unset = Map.of("variables", Map.of("request", Map.of("value", request, "type", "String")),
        "skipCustomListeners", false, "skipIoMappings", false);
    RawHttp.Response started = asAdmin("/engine-rest/process-definition/key/buildImage/start", JSON.writeValueAsString(unset));
    assertThat(started.status()).as(started.body()).isEqualTo(200);
  }

  @Test
  void aBusinessKeyIsRefusedUnlessItIsAFreshIdAsTheServiceMakesThem() throws Exception {
    String request = Requests.twoImages(settings);
    long before = builds();
    String escape = "../../authz-escape-" + UUID.randomUUID();
    for (Object hostile : List.of("../../../../etc/passwd", escape, "build-1", UUID.randomUUID().toString().toUpperCase(),
        "00000000-0000-0000-0000-000000000000", 42)) {
      Map<String, Object> start = Map.of("variables", Map.of("request", Map.of("value", request, "type", "String")),
          "businessKey", hostile);
      RawHttp.Response response = asAdmin("/engine-rest/process-definition/key/buildImage/start", JSON.writeValueAsString(start));
      assertThat(response.status()).as(hostile + ": " + response.body()).isEqualTo(400);
      assertThat(JSON.readTree(response.body()).get("problems").findValuesAsText("field")).containsExactly("businessKey");
    }
    assertThat(builds()).isEqualTo(before);
    Path logs = settings.dataDir().resolve("logs");
    assertThat(logs.resolve(escape + ".log").normalize()).doesNotExist();

    String fresh = UUID.randomUUID().toString();
    String start = JSON.writeValueAsString(Map.of("variables", Map.of("request", Map.of("value", request, "type", "String")),
        "businessKey", fresh));
    RawHttp.Response started = asAdmin("/engine-rest/process-definition/key/buildImage/start", start);
    assertThat(started.status()).as(started.body()).isEqualTo(200);
    assertThat(JSON.readTree(started.body()).get("businessKey").asText()).isEqualTo(fresh);
    assertThat(asAdmin("/engine-rest/process-definition/key/buildImage/start", start).status()).isEqualTo(400);
  }

  @Test
  void aBuildIdThatIsNotOneOfOursNeverNamesAFile() {
    Path logs = settings.dataDir().resolve("logs");
    String escape = "../authz-escape-" + UUID.randomUUID();
    MDC.put(BuildLog.BUILD_ID, escape);
    try {
      BuildLog.info("a line of a build whose id was edited to {}", escape);
    } finally {
      MDC.remove(BuildLog.BUILD_ID);
    }
    assertThat(logs.resolve(escape + ".log").normalize()).doesNotExist();
  }

  @Test
  void aRestartWhichWouldRunASecondBuildUnderTheSameIdIsRefused() throws Exception {
    String id = engine.getRepositoryService().createProcessDefinitionQuery().processDefinitionKey("buildImage")
        .latestVersion().singleResult().getId();
    String ended = api.start(Requests.twoImages(settings));
    String instance = engine.getHistoryService().createHistoricProcessInstanceQuery().processInstanceBusinessKey(ended)
        .singleResult().getId();
    String restart = JSON.writeValueAsString(Map.of("processInstanceIds", List.of(instance), "skipCustomListeners", true));
    for (String path : List.of("/engine-rest/process-definition/" + id + "/restart",
        "/engine-rest/process-definition/" + id + "/restart-async")) {
      assertThat(asAdmin(path, restart).status()).as(path).isEqualTo(403); // EngineRestOperations, before EngineRestStarts
    }
  }

  @Test
  void aProcessStartedWithoutAPreparedRequestNeverStarts() {
    long before = engine.getRuntimeService().createProcessInstanceQuery().count();
    try {
      engine.getRuntimeService().startProcessInstanceByKey("buildImage", Map.of("request", "{}"));
    } catch (RuntimeException refused) {
      assertThat(refused).hasMessageContaining("request");
    }
    assertThat(engine.getRuntimeService().createProcessInstanceQuery().count()).isEqualTo(before);
  }

  @Test
  void theRootPasswordNeverAppearsAnywhere() throws Exception {
    String request = Requests.twoImages(settings).replace("\"packages\"", "\"root_password\": \"" + PASSWORD + "\", \"packages\"");
    Api.Response started = api.post("/engine-rest/process-definition/key/buildImage/start", engineStart(request));
    assertThat(started.status()).as(started.body()).isEqualTo(200);
    String viaApi = api.start(request.replace("root.img.gz", "other.img.gz").replace("var.img.zst", "other-var.img.zst"));

    for (String businessKey : new String[] {started.json().get("businessKey").asText(), viaApi}) {
      ProcessInstance build = engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(businessKey)
          .singleResult();
      new ProcessDriver(engine, slotClaims).run(build);
      assertThat(api.build(businessKey).get("state").asText()).isEqualTo("SUCCEEDED");

      assertThat(api.log(businessKey)).doesNotContain(PASSWORD);
      assertThat(api.get("/api/builds/" + businessKey).body()).doesNotContain(PASSWORD);
      assertThat(api.get("/api/builds").body()).doesNotContain(PASSWORD);
      assertThat(api.get("/engine-rest/history/variable-instance?processInstanceId=" + build.getId()).body())
          .doesNotContain(PASSWORD);
      assertThat(engine.getRuntimeService().createProcessInstanceQuery().processInstanceId(build.getId()).count()).isZero();
      assertThat(engine.getHistoryService().createHistoricVariableInstanceQuery().processInstanceId(build.getId())
          .variableName("request").singleResult().getValue().toString()).contains("\"hashed_root_password\":\"$6$");
      for (var variable : engine.getHistoryService().createHistoricVariableInstanceQuery()
          .processInstanceId(build.getId()).list()) {
        assertThat(String.valueOf(variable.getValue())).doesNotContain(PASSWORD);
      }
      for (HistoricDetail detail : engine.getHistoryService().createHistoricDetailQuery().processInstanceId(build.getId())
          .list()) {
        assertThat(String.valueOf(((HistoricVariableUpdate) detail).getValue())).doesNotContain(PASSWORD);
      }
    }
    try (var logs = Files.list(settings.dataDir().resolve("logs"))) {
      for (Path log : logs.toList()) {
        assertThat(Files.readString(log)).doesNotContain(PASSWORD);
      }
    }
  }
}

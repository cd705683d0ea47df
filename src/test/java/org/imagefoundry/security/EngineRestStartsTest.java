package org.imagefoundry.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.history.HistoricDetail;
import org.camunda.bpm.engine.history.HistoricVariableUpdate;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.imagefoundry.FoundrySettings;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.ProcessDriver;
import org.imagefoundry.testing.Requests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Starts through the engine REST API are checked like ours, and a root password, however given, never
 * appears in the log, the API, the engine's variables or its history.
 */
@ProcessTest
class EngineRestStartsTest {

  static final String PASSWORD = "Sup3r-Secret-Root-Pw";
  static final ObjectMapper JSON = new ObjectMapper();

  @LocalServerPort int port;
  @Autowired ProcessEngine engine;
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
    String viaApi = api.start(request.replace("root.img.gz", "other.img.gz"));

    for (String businessKey : new String[] {started.json().get("businessKey").asText(), viaApi}) {
      ProcessInstance build = engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(businessKey)
          .singleResult();
      new ProcessDriver(engine).run(build);
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

package org.imagefoundry.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.ProcessEngine;
import org.imagefoundry.builds.BuildService;
import org.imagefoundry.process.BuildProcess;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.ProcessDriver;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.RawHttp;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.users.Caller;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;

/**
 * One build per id, whoever starts it and however many at once: the id is written, in the start's own
 * transaction, into a table whose key it is, so a second start with it rolls back whole; and the id then
 * answers as the one build it names.
 */
@ProcessTest
class UniqueBuildIdsTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @LocalServerPort int port;
  @Autowired ProcessEngine engine;
  @Autowired FakeHost host;
  @Autowired FoundrySettings settings;
  @Autowired BuildService builds;
  @Autowired UniqueBuildIds ids;

  @BeforeEach
  void setUp() {
    init(engine);
    host.reset();
    Requests.clean(settings);
  }

  @AfterEach
  void resetClock() {
    ProcessDriver.resetClock();
  }

  long buildsWithId(String id) {
    return engine.getHistoryService().createHistoricProcessInstanceQuery().processInstanceBusinessKey(id).count();
  }

  @Test
  void aSecondStartWithAnIdInUseRollsBackWholeWhateverCheckedItBefore() {
    String id = UUID.randomUUID().toString();
    var variables = builds.prepare(Requests.twoImages(settings), Caller.ENGINE, id).variables();
    var runtime = engine.getRuntimeService();
    runtime.createProcessInstanceByKey(BuildProcess.KEY).businessKey(id).setVariables(variables).execute();
    long instances = runtime.createProcessInstanceQuery().count();

    // straight to the engine, past every check of the API and the REST filters
    assertThatThrownBy(() -> runtime.createProcessInstanceByKey(BuildProcess.KEY).businessKey(id)
        .setVariables(variables).execute())
        .isInstanceOf(BadUserRequestException.class).hasMessageContaining("a build with the id " + id + " exists");
    assertThat(runtime.createProcessInstanceQuery().count()).isEqualTo(instances);
    assertThat(buildsWithId(id)).isEqualTo(1);
  }

  @Test
  void fourConcurrentEngineRestStartsWithOneBusinessKeyMakeOneBuild() throws Exception {
    String id = UUID.randomUUID().toString();
    String start = JSON.writeValueAsString(Map.of("businessKey", id,
        "variables", Map.of("request", Map.of("value", Requests.twoImages(settings), "type", "String"))));
    CountDownLatch ready = new CountDownLatch(4);
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    List<Future<RawHttp.Response>> answers = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        answers.add(threads.submit(() -> {
          ready.countDown();
          go.await();
          return new RawHttp(port).send("POST", "/engine-rest/process-definition/key/buildImage/start",
              RawHttp.basic("admin", ProcessTest.ADMIN_PASSWORD), start);
        }));
      }
      ready.await();
      go.countDown();
      List<Integer> statuses = new ArrayList<>();
      for (Future<RawHttp.Response> answer : answers) {
        RawHttp.Response response = answer.get();
        statuses.add(response.status());
        if (response.status() != 200) {
          assertThat(response.body()).contains("exists");
        }
      }
      assertThat(statuses).as("one started, the others refused").containsExactlyInAnyOrder(200, 400, 400, 400);
    } finally {
      threads.shutdownNow();
    }
    assertThat(buildsWithId(id)).isEqualTo(1);
    Api api = new Api("http://localhost:" + port, "admin", ProcessTest.ADMIN_PASSWORD);
    Api.Response build = api.get("/api/builds/" + id);
    assertThat(build.status()).as(build.body()).isEqualTo(200);
    assertThat(build.json().get("id").asText()).isEqualTo(id);
  }

  @Test
  void aReservationIsTakenOnceAndGivenBackOnlyWhileNoBuildStartedWithIt() {
    UniqueBuildIds ids = this.ids;
    String id = UUID.randomUUID().toString();
    assertThat(ids.reserve(id)).isTrue();
    assertThat(ids.reserve(id)).as("reserved already").isFalse();
    ids.release(id); // its start failed
    assertThat(ids.reserve(id)).as("given back").isTrue();

    var variables = builds.prepare(Requests.twoImages(settings), Caller.ENGINE, id).variables();
    var runtime = engine.getRuntimeService();
    runtime.createProcessInstanceByKey(BuildProcess.KEY).businessKey(id).setVariables(variables).execute();
    ids.release(id); // a late give-back of a start that happened changes nothing
    assertThat(ids.reserve(id)).isFalse();
    assertThatThrownBy(() -> runtime.createProcessInstanceByKey(BuildProcess.KEY).businessKey(id)
        .setVariables(variables).execute()).isInstanceOf(BadUserRequestException.class);
    assertThat(buildsWithId(id)).isEqualTo(1);
  }
}

package org.imagefoundry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;

import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.imagefoundry.FoundrySettings;
import org.imagefoundry.api.BuildService;
import org.imagefoundry.api.BuildState;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.ProcessDriver;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.Requests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * With one build slot, a second build waits (QUEUED) at the slot gateway until the first has ended, and
 * goes on as soon as the first ends, without waiting for its timer. Its
 * own context (one slot, its own database) has its own engine name, so it never stands in for the shared
 * "default" engine that Camunda's REST API looks up.
 */
@ProcessTest
@TestPropertySource(properties = {"image-foundry.max-concurrent-builds=1",
    "spring.datasource.url=jdbc:h2:mem:build-slots-test;DB_CLOSE_DELAY=-1",
    // its own build root too: its abandoned-workspace check would release the other context's workspaces
    "image-foundry.build-root=${java.io.tmpdir}/image-foundry-build-slots-test/build",
    "camunda.bpm.process-engine-name=buildSlotsTest"})
class BuildSlotsProcessTest {

  static final org.imagefoundry.spec.Caller ADMIN = new org.imagefoundry.spec.Caller("admin", true);

  @Autowired ProcessEngine engine;
  @Autowired BuildService builds;
  @Autowired org.imagefoundry.api.BuildQueries queries;
  @Autowired FakeHost host;
  @Autowired FoundrySettings settings;

  @AfterEach
  void resetClock() {
    ProcessDriver.resetClock();
  }

  @Test
  void aSecondBuildWaitsItsTurnAndThenRuns() throws InterruptedException {
    init(engine);
    host.reset();
    Requests.clean(settings);
    var driver = new ProcessDriver(engine);
    ProcessInstance first = start(Requests.twoImages(settings));
    ProcessInstance second = start(Requests.twoImages(settings).replace("\"less\"", "\"less\", \"vim-tiny\""));

    driver.runUntil(first, "debootstrap");
    driver.step(second); // checkExistingImages: no slot free
    fireTimer(second); // still no slot: it waits again

    BpmnAwareTests.assertThat(second).isWaitingAt("waitForBuildSlot");
    assertThat(queries.find(second.getBusinessKey()).orElseThrow().state()).isEqualTo(BuildState.QUEUED);
    assertThat(queries.find(first.getBusinessKey()).orElseThrow().state()).isEqualTo(BuildState.RUNNING);

    driver.run(first);
    awaitNextJob(second, "createChroot"); // woken by the first build's end, not by its timer
    driver.run(second);

    BpmnAwareTests.assertThat(first).isEnded().hasPassed("succeeded");
    BpmnAwareTests.assertThat(second).isEnded().hasPassed("waitForBuildSlot", "createChroot", "succeeded");
  }

  void fireTimer(ProcessInstance instance) {
    var management = engine.getManagementService();
    management.executeJob(management.createJobQuery().processInstanceId(instance.getId()).timers().singleResult().getId());
  }

  void awaitNextJob(ProcessInstance instance, String activityId) throws InterruptedException {
    var jobs = engine.getManagementService().createJobQuery().processInstanceId(instance.getId()).activityId(activityId);
    for (int i = 0; i < 100 && jobs.count() == 0; i++) {
      Thread.sleep(100);
    }
    assertThat(jobs.count()).as("%s's next job is %s", instance.getBusinessKey(), activityId).isEqualTo(1);
  }

  ProcessInstance start(String request) {
    String id = builds.start(request, ADMIN);
    return engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(id).singleResult();
  }
}

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
 * With one build slot, a second build waits (QUEUED, no node) at <i>Wait for a build slot</i> until the
 * first has ended, and is claimed as soon as the first ends. Its own context (one slot, its own
 * database) has its own engine name, so it never stands in for the shared "default" engine that
 * Camunda's REST API looks up.
 */
@ProcessTest
@TestPropertySource(properties = {"image-foundry.max-concurrent-builds=1",
    "spring.datasource.url=jdbc:h2:mem:build-slots-test;DB_CLOSE_DELAY=-1",
    // its own build root too: its abandoned-workspace check would release the other context's workspaces
    "image-foundry.build-root=${java.io.tmpdir}/image-foundry-build-slots-test/build",
    "image-foundry.node-name=slots-node",
    "camunda.bpm.process-engine-name=buildSlotsTest"})
class BuildSlotsProcessTest {

  static final org.imagefoundry.spec.Caller ADMIN = new org.imagefoundry.spec.Caller("admin", true);

  @Autowired ProcessEngine engine;

  @Autowired org.imagefoundry.engine.SlotClaims slotClaims;
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
    var driver = new ProcessDriver(engine, slotClaims);
    ProcessInstance first = start(Requests.twoImages(settings));
    driver.runUntil(first, "debootstrap");
    ProcessInstance second = start(Requests.twoImages(settings).replace("\"less\"", "\"less\", \"vim-tiny\""));

    assertThat(slotClaims.claim()).as("no slot is free").isEmpty();
    BpmnAwareTests.assertThat(second).isWaitingAt("waitForBuildSlot");
    var queued = queries.find(second.getBusinessKey()).orElseThrow();
    assertThat(queued.state()).isEqualTo(BuildState.QUEUED);
    assertThat(queued.phase()).isEqualTo("waitForBuildSlot");
    assertThat(queued.node()).isNull();
    var running = queries.find(first.getBusinessKey()).orElseThrow();
    assertThat(running.state()).isEqualTo(BuildState.RUNNING);
    assertThat(running.node()).isEqualTo("slots-node");

    driver.run(first);
    awaitNextJob(second, "checkExistingImages"); // claimed when the first build's end was committed
    assertThat(queries.find(second.getBusinessKey()).orElseThrow().node()).isEqualTo("slots-node");
    driver.run(second);

    BpmnAwareTests.assertThat(first).isEnded().hasPassed("succeeded");
    BpmnAwareTests.assertThat(second).isEnded().hasPassed("waitForBuildSlot", "createChroot", "succeeded");
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

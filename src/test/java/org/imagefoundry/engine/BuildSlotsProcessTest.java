package org.imagefoundry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;

import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.imagefoundry.builds.BuildService;
import org.imagefoundry.builds.BuildState;
import org.imagefoundry.settings.FoundrySettings;
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
 * first has ended, and is claimed as soon as the first ends. A build in incident gives its slot back
 * and takes one again when it is retried, and only then. Its own context (one slot, its own
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

  static final org.imagefoundry.users.Caller ADMIN = new org.imagefoundry.users.Caller("admin", true);

  @Autowired ProcessEngine engine;
  @org.springframework.boot.test.web.server.LocalServerPort int port;

  @Autowired org.imagefoundry.engine.SlotClaims slotClaims;
  @Autowired BuildService builds;
  @Autowired org.imagefoundry.builds.BuildQueries queries;
  @Autowired FakeHost host;
  @Autowired FoundrySettings settings;
  @Autowired BuildSlots slots;
  @Autowired org.imagefoundry.builds.NodeQueries nodes;
  @Autowired org.imagefoundry.testing.DelegateSpy failures;


  @AfterEach
  void resetClock() {
    failures.reset();
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
    ProcessInstance second = start(Requests.twoImagesIn(settings, "second").replace("\"less\"", "\"less\", \"vim-tiny\""));

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

  @Test
  void aBuildInIncidentGivesBackItsSlotAndARetryTakesOneAgainOnlyWhenOneIsFree() {
    init(engine);
    host.reset();
    failures.reset();
    Requests.clean(settings);
    var driver = new ProcessDriver(engine, slotClaims);
    failures.failTransiently("debootstrap", 2);
    ProcessInstance first = start(Requests.twoImages(settings));
    driver.run(first);

    var stopped = queries.find(first.getBusinessKey()).orElseThrow();
    assertThat(stopped.state()).isEqualTo(BuildState.INCIDENT);
    assertThat(stopped.error()).as("the incident's message is the build's error")
        .startsWith("debootstrap: ").contains("injected transient failure");
    assertThat(host.loopDevices()).as("it keeps what it holds").hasSize(2);
    assertThat(slots.free()).as("but not its slot").isEqualTo(1);
    assertThat(nodes.all()).as("GET /api/nodes says the same").anySatisfy(node -> {
      assertThat(node.builds()).contains(first.getBusinessKey());
      assertThat(node.slotsInUse()).isZero();
    });

    ProcessInstance second = start(Requests.twoImagesIn(settings, "second"));
    BpmnAwareTests.assertThat(second).as("claimed at once, in the slot the incident gave back")
        .isNotWaitingAt("waitForBuildSlot");
    driver.runUntil(second, "mountTarget");
    assertThat(slots.free()).isZero();

    assertThat(builds.retry(first.getBusinessKey())).isEqualTo(BuildService.Outcome.NO_FREE_SLOT);
    String job = engine.getManagementService().createJobQuery().processInstanceId(first.getId()).singleResult().getId();
    assertThatThrownBy(() -> engine.getManagementService().setJobRetries(job, 1))
        .as("Cockpit's and the engine REST API's retry").isInstanceOf(IncidentSlots.NoFreeSlot.class);
    var viaRest = new org.imagefoundry.testing.RawHttp(port).send("PUT",
        "/engine-rest/engine/buildSlotsTest/job/" + job + "/retries",
        org.imagefoundry.testing.RawHttp.basic("admin", org.imagefoundry.testing.ProcessTest.ADMIN_PASSWORD),
        "{\"retries\": 1}");
    assertThat(viaRest.status()).as(viaRest.body()).isGreaterThanOrEqualTo(400);
    assertThat(viaRest.body()).contains("no free build slot");
    assertThat(queries.find(first.getBusinessKey()).orElseThrow().state()).isEqualTo(BuildState.INCIDENT);

    driver.run(second);
    BpmnAwareTests.assertThat(second).isEnded().hasPassed("succeeded");
    assertThat(builds.retry(first.getBusinessKey())).isEqualTo(BuildService.Outcome.DONE);
    assertThat(slots.free()).as("the retried build holds the slot again").isZero();
    assertThat(queries.find(first.getBusinessKey()).orElseThrow().error()).isNull();
    driver.run(first);
    BpmnAwareTests.assertThat(first).isEnded().hasPassed("succeeded");
    assertThat(slots.free()).isEqualTo(1);
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

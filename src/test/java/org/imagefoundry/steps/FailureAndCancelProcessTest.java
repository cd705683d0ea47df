package org.imagefoundry.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;

import java.util.List;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.imagefoundry.builds.BuildService;
import org.imagefoundry.builds.BuildState;
import org.imagefoundry.builds.IncidentTimeout;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.DelegateSpy;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.ProcessDriver;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.Requests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Failure, cancel and retry, job by job, with the real steps against a fake host: whatever fails or is
 * cancelled, nothing stays attached or mounted, and the API's view of the build says why it ended. Which
 * compensation handlers run, and in which order, is processes/FailureAndCancelFlowTest's, on the engine
 * alone.
 */
@ProcessTest
class FailureAndCancelProcessTest {

  static final org.imagefoundry.users.Caller ADMIN = new org.imagefoundry.users.Caller("admin", true);

  @Autowired ProcessEngine engine;

  @Autowired org.imagefoundry.engine.SlotClaims slotClaims;
  @Autowired BuildService builds;
  @Autowired org.imagefoundry.builds.BuildQueries queries;
  @Autowired FakeHost host;
  @Autowired DelegateSpy failures;
  @Autowired FoundrySettings settings;
  @Autowired IncidentTimeout incidentTimeout;
  @LocalServerPort int port;

  ProcessDriver driver;

  @BeforeEach
  void setUp() {
    init(engine);
    host.reset();
    failures.reset();
    driver = new ProcessDriver(engine, slotClaims);
    Requests.clean(settings);
  }

  @AfterEach
  void tearDown() {
    failures.reset();
    ProcessDriver.resetClock();
  }

  static List<String> phases() {
    return BuildImageProcessTest.PHASES;
  }

  ProcessInstance start() {
    String id = builds.start(Requests.twoImages(settings), ADMIN);
    return engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(id).singleResult();
  }

  @ParameterizedTest
  @MethodSource("phases")
  void anUnrecoverableFailureAtAnyPhaseLeavesNothingBehindAndSaysWhy(String phase) {
    failures.failUnrecoverably(phase);
    ProcessInstance build = start();

    driver.run(build);

    BpmnAwareTests.assertThat(build).isEnded();
    var view = queries.find(build.getBusinessKey()).orElseThrow();
    assertThat(view.state()).isEqualTo(BuildState.FAILED);
    assertThat(view.error()).isEqualTo(phase + ": injected unrecoverable failure");
    assertThat(host.loopDevices()).isEmpty();
    assertThat(host.mountPoints()).isEmpty();
    assertThat(settings.buildRoot().resolve(build.getBusinessKey())).doesNotExist();
  }

  @ParameterizedTest
  @MethodSource("phases")
  void cancelWhileWaitingBeforeAnyTaskLeavesNothingBehindAndSaysWhy(String phase) {
    ProcessInstance build = start();
    driver.runUntil(build, phase);

    assertThat(builds.cancel(build.getBusinessKey(), "cancelled by a test")).isEqualTo(BuildService.Outcome.DONE);
    driver.run(build);

    BpmnAwareTests.assertThat(build).isEnded();
    var view = queries.find(build.getBusinessKey()).orElseThrow();
    assertThat(view.state()).isEqualTo(BuildState.CANCELLED);
    assertThat(view.error()).isEqualTo("cancelled by a test");
    assertThat(host.loopDevices()).isEmpty();
    assertThat(host.mountPoints()).isEmpty();
  }

  /** The diagram names no retry cycle: the engine's, set by engine.RetryPolicy, is every task's. */
  @Test
  void aFailingStepRunsAsOftenAsTheConfiguredCycleSaysThenRaisesItsIncident() {
    assertThat(((org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration())
        .getFailedJobRetryTimeCycle()).isEqualTo(settings.retryCycle()).isEqualTo("R2/PT1S");
    failures.failTransiently("createSparseFiles", 10);
    ProcessInstance build = start();

    driver.run(build);

    // R2: the first run and one retry (without the cycle, the engine's default is three runs)
    assertThat(engine.getHistoryService().createHistoricJobLogQuery().processInstanceId(build.getId())
        .activityIdIn("createSparseFiles").failureLog().count()).isEqualTo(2);
    var incident = engine.getRuntimeService().createIncidentQuery().processInstanceId(build.getId()).singleResult();
    assertThat(incident.getActivityId()).isEqualTo("createSparseFiles");
  }

  @Test
  void aTransientFailureRetriesThenWaitsInIncidentHoldingItsResourcesUntilRetried() {
    failures.failTransiently("installPackages", 2);
    ProcessInstance build = start();

    driver.run(build);

    var view = queries.find(build.getBusinessKey()).orElseThrow();
    assertThat(view.state()).isEqualTo(BuildState.INCIDENT);
    assertThat(view.phase()).isEqualTo("installPackages");
    assertThat(host.mountPoints()).isNotEmpty();
    assertThat(host.loopDevices()).hasSize(2);

    assertThat(builds.retry(build.getBusinessKey())).isEqualTo(BuildService.Outcome.DONE);
    driver.run(build);

    BpmnAwareTests.assertThat(build).isEnded();
    assertThat(queries.find(build.getBusinessKey()).orElseThrow().state()).isEqualTo(BuildState.SUCCEEDED);
    assertThat(host.mountPoints()).isEmpty();
  }

  @Test
  void aBuildInIncidentCanBeCancelled() {
    failures.failTransiently("debootstrap", 2);
    ProcessInstance build = start();
    driver.run(build);
    assertThat(queries.find(build.getBusinessKey()).orElseThrow().state()).isEqualTo(BuildState.INCIDENT);

    builds.cancel(build.getBusinessKey(), "cancelled by a test");
    driver.run(build);

    assertThat(queries.find(build.getBusinessKey()).orElseThrow().state()).isEqualTo(BuildState.CANCELLED);
    assertThat(host.mountPoints()).isEmpty();
  }

  @Test
  void aBuildLeftInIncidentLongerThanTheTimeoutIsCancelled() {
    failures.failTransiently("debootstrap", 2);
    ProcessInstance build = start();
    driver.run(build);

    incidentTimeout.cancelExpired();
    assertThat(queries.find(build.getBusinessKey()).orElseThrow().state()).isEqualTo(BuildState.INCIDENT);

    org.camunda.bpm.engine.impl.util.ClockUtil.setCurrentTime(new java.util.Date(
        org.camunda.bpm.engine.impl.util.ClockUtil.getCurrentTime().getTime() + settings.incidentTimeout().toMillis() + 60_000));
    incidentTimeout.cancelExpired();
    driver.run(build);

    var view = queries.find(build.getBusinessKey()).orElseThrow();
    assertThat(view.state()).isEqualTo(BuildState.CANCELLED);
    assertThat(view.error()).startsWith("cancelled: in incident longer than PT24H (debootstrap: ");
    assertThat(host.mountPoints()).isEmpty();
  }

  @Test
  void aBuildDeletedPastItsCancelSaysWhoDeletedItAndThatNothingWasCompensated() {
    ProcessInstance build = start();
    driver.runUntil(build, "debootstrap");

    // a program on the engine's Java API: the one way left to delete a build without its cancel
    engine.getIdentityService().setAuthentication("admin", java.util.List.of(org.imagefoundry.users.Roles.ADMINS));
    try {
      engine.getRuntimeService().deleteProcessInstance(build.getId(), "by hand");
    } finally {
      engine.getIdentityService().clearAuthentication();
    }

    var view = queries.find(build.getBusinessKey()).orElseThrow();
    assertThat(view.state()).isEqualTo(BuildState.CANCELLED);
    assertThat(view.error()).startsWith("deleted by admin").contains("no compensation ran");
  }

  @Test
  void cancelAndRetrySayWhenThereIsNothingToDo() {
    ProcessInstance build = start();
    assertThat(builds.retry(build.getBusinessKey())).isEqualTo(BuildService.Outcome.NOTHING_TO_DO);
    driver.run(build);

    assertThat(builds.cancel(build.getBusinessKey(), "too late")).isEqualTo(BuildService.Outcome.NOTHING_TO_DO);
    assertThat(builds.cancel("no-such-build", "x")).isEqualTo(BuildService.Outcome.NOT_FOUND);
  }

  @Test
  void anImageE2fsckWouldRepairStopsTheBuildInAnIncidentWithE2fsckOutputAndNothingIsPublished() {
    host.failOn(List.of("e2fsck", "-f", "-n"), 4, 100, "Inode 2 ref count is 18, should be 19.  Fix? no",
        "Free blocks count wrong for group #0 (3710, counted=3709).  Fix? no");
    ProcessInstance build = start();

    driver.run(build);

    var view = queries.find(build.getBusinessKey()).orElseThrow();
    assertThat(view.state()).isEqualTo(BuildState.INCIDENT);
    assertThat(view.phase()).isEqualTo("shrinkImages");
    var incident = engine.getRuntimeService().createIncidentQuery().processInstanceId(build.getId()).singleResult();
    assertThat(incident.getIncidentMessage()).startsWith("shrinkImages: e2fsck finds ")
        .contains("Inode 2 ref count is 18, should be 19.  Fix? no");
    assertThat(host.commands("e2fsck")).allMatch(c -> c.contains("-n"));
    assertThat(host.commands("resize2fs")).isEmpty();
    assertThat(host.commands("igzip")).isEmpty();
    assertThat(settings.allowedOutputRoots().get(0).resolve("root.img.gz")).doesNotExist();
  }
}

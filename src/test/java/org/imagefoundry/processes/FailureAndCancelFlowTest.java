package org.imagefoundry.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.imagefoundry.processes.EngineOnlyBuilds.COLD_DISK_PATH;
import static org.imagefoundry.processes.EngineOnlyBuilds.COLD_PATH;
import static org.imagefoundry.processes.EngineOnlyBuilds.undoneBefore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.imagefoundry.process.BuildVariables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Failure, cancel and retry on the engine alone: whatever fails or is cancelled, exactly the compensation
 * handlers of the completed acquiring tasks run, last completed first, then the sweep, and the build ends
 * where the diagram says. That the handlers and the sweep really release everything is
 * {@code steps/FailureAndCancelProcessTest}'s.
 */
@Deployment(resources = EngineOnlyBuilds.DIAGRAM)
class FailureAndCancelFlowTest {

  @RegisterExtension
  static ProcessEngineExtension extension = EngineOnlyBuilds.extension();

  EngineOnlyBuilds builds;

  @BeforeEach
  void setUp(ProcessEngine engine) {
    builds = new EngineOnlyBuilds(engine);
  }

  @AfterEach
  void tearDown() {
    EngineOnlyBuilds.reset();
  }

  /** Every phase of the cold build, without a disk and with one. */
  static Stream<Arguments> phases() {
    return Stream.concat(COLD_PATH.stream().map(phase -> Arguments.of(false, phase)),
        COLD_DISK_PATH.stream().map(phase -> Arguments.of(true, phase)));
  }

  static List<String> path(boolean disk) {
    return disk ? COLD_DISK_PATH : COLD_PATH;
  }

  @ParameterizedTest(name = "disk {0}, {1}")
  @MethodSource("phases")
  void anUnrecoverableFailureCompensatesTheCompletedAcquiringTasksInReverseThenSweeps(boolean disk, String phase) {
    builds.delegates.failUnrecoverably(phase);
    ProcessInstance build = builds.start(Map.of(BuildVariables.DISK_REQUESTED, disk));

    builds.driver.run(build);

    List<String> path = path(disk);
    List<String> expected = new ArrayList<>(path.subList(0, path.indexOf(phase) + 1));
    expected.addAll(undoneBefore(path, phase));
    expected.add("sweepAfterFailure");
    assertThat(builds.delegates.ran()).containsExactlyElementsOf(expected);
    assertThat(build).isEnded().hasPassed("buildFailedStart", "compensateOnFailure");
    assertThat(builds.end(build)).isEqualTo("failed");
    assertThat(builds.variable(build, BuildVariables.ERROR)).isEqualTo(phase + ": injected unrecoverable failure");
  }

  @ParameterizedTest(name = "disk {0}, {1}")
  @MethodSource("phases")
  void cancelWhileWaitingBeforeATaskCompensatesWhatCompletedThenSweeps(boolean disk, String phase) {
    ProcessInstance build = builds.start(Map.of(BuildVariables.DISK_REQUESTED, disk));
    builds.driver.runUntil(build, phase);

    builds.cancel(build, "cancelled by a test");
    builds.driver.run(build);

    List<String> path = path(disk);
    List<String> expected = new ArrayList<>(path.subList(0, path.indexOf(phase)));
    expected.addAll(undoneBefore(path, phase));
    expected.add("sweepAfterCancel");
    assertThat(builds.delegates.ran()).containsExactlyElementsOf(expected);
    assertThat(build).isEnded().hasPassed("cancelRequested", "compensateOnCancel");
    assertThat(builds.end(build)).isEqualTo("cancelled");
    assertThat(builds.variable(build, BuildVariables.ERROR)).isEqualTo("cancelled by a test");
  }

  @Test
  void cancelWhileWaitingForASlotOnlySweeps() {
    ProcessInstance build = builds.startCold();

    builds.cancel(build, "cancelled by a test");
    builds.driver.run(build);

    assertThat(builds.delegates.ran()).containsExactly("sweepAfterCancel");
    assertThat(builds.end(build)).isEqualTo("cancelled");
  }

  @Test
  void aTransientFailureIsRetriedThenWaitsInIncidentUntilRetried() {
    builds.delegates.failTransiently("installPackages", 2);
    ProcessInstance build = builds.startCold();

    builds.driver.run(build);

    var incident = builds.engine.getRuntimeService().createIncidentQuery().processInstanceId(build.getId())
        .singleResult();
    assertThat(incident.getActivityId()).isEqualTo("installPackages");
    assertThat(incident.getIncidentMessage()).contains("installPackages: injected transient failure");
    assertThat(build).isNotEnded();
    assertThat(builds.delegates.ran()).endsWith("mountPseudoFilesystems", "installPackages", "installPackages");

    builds.retry(build);
    builds.driver.run(build);

    assertThat(build).isEnded().hasPassed("installPackages", "succeeded");
    List<String> expected = new ArrayList<>(COLD_PATH);
    expected.addAll(expected.indexOf("installPackages"), List.of("installPackages", "installPackages"));
    assertThat(builds.delegates.ran()).containsExactlyElementsOf(expected);
  }

  @Test
  void aBuildInIncidentCanBeCancelled() {
    builds.delegates.failTransiently("debootstrap", 2);
    ProcessInstance build = builds.startCold();
    builds.driver.run(build);
    assertThat(builds.engine.getRuntimeService().createIncidentQuery().processInstanceId(build.getId()).count())
        .isOne();

    builds.cancel(build, "cancelled by a test");
    builds.driver.run(build);

    assertThat(builds.delegates.ran()).endsWith("debootstrap", "undoMountTarget", "undoAttachLoopDevices",
        "undoCreateSparseFiles", "undoCreateChroot", "sweepAfterCancel");
    assertThat(build).isEnded().hasPassed("cancelRequested");
    assertThat(builds.end(build)).isEqualTo("cancelled");
  }

  @Test
  void aDiskBuildInIncidentAtItsBootloaderCancelledUndoesTheDiskFirst() {
    builds.delegates.failTransiently("installBootloader", 2);
    ProcessInstance build = builds.start(Map.of(BuildVariables.DISK_REQUESTED, true));
    builds.driver.run(build);
    assertThat(builds.engine.getRuntimeService().createIncidentQuery().processInstanceId(build.getId())
        .singleResult().getActivityId()).isEqualTo("installBootloader");

    builds.cancel(build, "cancelled by a test");
    builds.driver.run(build);

    assertThat(builds.delegates.ran()).endsWith("installBootloader", "undoAssembleDisk", "undoPartitionDisk",
        "undoInstallPackages", "undoMountPseudoFilesystems", "undoDebootstrap", "undoMountTarget",
        "undoAttachLoopDevices", "undoCreateSparseFiles", "undoCreateChroot", "sweepAfterCancel");
    assertThat(build).isEnded().hasPassed("undoAssembleDisk", "undoPartitionDisk", "cancelled");
  }
}

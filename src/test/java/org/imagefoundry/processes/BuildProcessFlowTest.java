package org.imagefoundry.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.imagefoundry.processes.EngineOnlyBuilds.COLD_DISK_PATH;
import static org.imagefoundry.processes.EngineOnlyBuilds.COLD_PATH;
import static org.imagefoundry.processes.EngineOnlyBuilds.DISK_TASKS;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.imagefoundry.process.BuildVariables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The paths through the diagram on the engine alone (see docs/phases.md): which tasks a build runs, in
 * which order, for each answer of its gateways. What the tasks do is {@code steps/BuildImageProcessTest}'s.
 */
@Deployment(resources = EngineOnlyBuilds.DIAGRAM)
class BuildProcessFlowTest {

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

  @Test
  void aColdBuildRunsEveryPhaseInOrderAndSucceeds() {
    ProcessInstance build = builds.startCold();

    builds.driver.run(build);

    assertThat(builds.delegates.ran()).containsExactlyElementsOf(COLD_PATH);
    assertThat(build).isEnded().hasPassedInOrder(COLD_PATH.toArray(String[]::new)).hasNotPassed("partitionDisk");
    assertThat(builds.end(build)).isEqualTo("succeeded");
  }

  @Test
  void everyTaskIsAsynchronousSoACrashLosesAtMostTheStepInFlight() {
    ProcessInstance build = builds.startCold();
    assertThat(build).isWaitingAt("waitForBuildSlot");

    for (String phase : COLD_PATH) {
      builds.driver.runUntil(build, phase); // gives the build its slot before the first
      assertThat(build).isWaitingAt(phase);
      assertThat(builds.delegates.ran()).doesNotContain(phase);
      builds.driver.step(build);
      assertThat(builds.delegates.ran()).endsWith(phase);
    }
    assertThat(build).isEnded();
  }

  @Test
  void aBuildWaitsForItsSlotBeforeItsFirstStep() {
    ProcessInstance build = builds.startCold();

    assertThat(build).isWaitingAt("waitForBuildSlot");
    assertThat(builds.engine.getManagementService().createJobQuery().processInstanceId(build.getId()).count())
        .isZero();
    assertThat(builds.delegates.ran()).isEmpty();
  }

  @Test
  void anAlreadyBuiltRequestIsSkippedAfterCheckingItsImages() {
    ProcessInstance build = builds.start(Map.of(BuildVariables.ALREADY_BUILT, true));

    builds.driver.run(build);

    assertThat(builds.delegates.ran()).containsExactly("checkExistingImages");
    assertThat(build).isEnded().hasPassed("checkExistingImages", "skipped").hasNotPassed("createChroot");
  }

  @Test
  void aDiskRequestTakesTheDiskTasksBetweenStoringAndContainerizing() {
    ProcessInstance build = builds.start(Map.of(BuildVariables.DISK_REQUESTED, true));

    builds.driver.run(build);

    assertThat(builds.delegates.ran()).containsExactlyElementsOf(COLD_DISK_PATH);
    assertThat(build).isEnded().hasPassedInOrder("shrinkImages", "partitionDisk", "assembleDisk", "findKernel",
        "installBootloader", "releaseDisk", "convertDisk", "publishDisk", "diskJoin", "containerize", "writeSbom",
        "writeMetadata", "succeeded");
  }

  @Test
  void packagesFromThePackageLayerCacheSkipInstallingListingAndStoringPackages() {
    ProcessInstance build = builds.start(Map.of(BuildVariables.PACKAGES_FROM_CACHE, true));

    builds.driver.run(build);

    List<String> expected = new ArrayList<>(COLD_PATH);
    expected.removeAll(List.of("installPackages", "listPackages", "storePackageLayer"));
    assertThat(builds.delegates.ran()).containsExactlyElementsOf(expected);
    assertThat(build).isEnded().hasPassedInOrder("mountPseudoFilesystems", "postInstall", "writeSbom", "succeeded")
        .hasNotPassed("installPackages", "listPackages", "storePackageLayer");
  }

  @Test
  void theSameContentStoredIsRestoredAndGivenItsPasswordWithoutAChroot() {
    ProcessInstance build = builds.start(Map.of(BuildVariables.SAME_CONTENT_STORED, true));

    builds.driver.run(build);

    assertThat(builds.delegates.ran()).containsExactly("checkExistingImages", "restoreStoredImages",
        "setRootPassword", "containerize", "writeSbom", "writeMetadata", "sweep");
    assertThat(build).isEnded().hasPassed("succeeded").hasNotPassed("createChroot", "partitionDisk");
  }

  @Test
  void theSameContentStoredWithADiskRequestTakesTheDiskTasksAfterSettingThePassword() {
    ProcessInstance build = builds.start(Map.of(BuildVariables.SAME_CONTENT_STORED, true,
        BuildVariables.DISK_REQUESTED, true));

    builds.driver.run(build);

    List<String> expected = new ArrayList<>(List.of("checkExistingImages", "restoreStoredImages", "setRootPassword"));
    expected.addAll(DISK_TASKS);
    expected.addAll(List.of("containerize", "writeSbom", "writeMetadata", "sweep"));
    assertThat(builds.delegates.ran()).containsExactlyElementsOf(expected);
    assertThat(build).isEnded().hasPassed("succeeded").hasNotPassed("createChroot");
  }
}

package org.imagefoundry.processes;

import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.imagefoundry.process.BuildProcess;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.testing.ProcessDriver;

/**
 * Builds on the process engine alone, as camunda-bpm-examples test their processes: the diagram deployed
 * on an in-memory engine ({@code process-flow.camunda.cfg.xml}), every bean it names a
 * {@link RecordingDelegates} mock, the gateways' decisions given as variables at the start, and the jobs
 * run one at a time by a {@link ProcessDriver}. No Spring, no host: what the steps do is the Spring
 * process tests' business ({@code steps/*ProcessTest}); here only the order the diagram gives them.
 */
final class EngineOnlyBuilds {

  /** The diagram, on the class path from the project's {@code processes/} (pom.xml's resources). */
  static final String DIAGRAM = "processes/build-image.bpmn";

  static final BpmnModelInstance MODEL = Bpmn.readModelFromStream(
      EngineOnlyBuilds.class.getClassLoader().getResourceAsStream(DIAGRAM));

  /** The cold build without a disk: every phase of the main path, in order. */
  static final List<String> COLD_PATH = List.of("checkExistingImages", "createChroot", "createSparseFiles",
      "attachLoopDevices", "makeFilesystems", "mountTarget", "debootstrap", "configureApt", "mountPseudoFilesystems",
      "installPackages", "listPackages", "storePackageLayer", "postInstall", "stopChrootProcesses", "unmount",
      "detachLoopDevices", "shrinkImages", "storeImages", "containerize", "writeSbom", "writeMetadata", "sweep");

  /** The disk tasks, in order, between {@code storeImages} (or {@code setRootPassword}) and {@code containerize}. */
  static final List<String> DISK_TASKS = List.of("partitionDisk", "assembleDisk", "findKernel", "installBootloader",
      "releaseDisk", "convertDisk", "publishDisk");

  /** The cold build with a disk. */
  static final List<String> COLD_DISK_PATH = withDiskTasks(COLD_PATH, "storeImages");

  /** Acquiring task → its compensation handler. */
  static final Map<String, String> UNDO = Map.of(
      "createChroot", "undoCreateChroot",
      "createSparseFiles", "undoCreateSparseFiles",
      "attachLoopDevices", "undoAttachLoopDevices",
      "mountTarget", "undoMountTarget",
      "debootstrap", "undoDebootstrap",
      "mountPseudoFilesystems", "undoMountPseudoFilesystems",
      "installPackages", "undoInstallPackages",
      "partitionDisk", "undoPartitionDisk",
      "assembleDisk", "undoAssembleDisk",
      "convertDisk", "undoConvertDisk");

  static ProcessEngineExtension extension() {
    return ProcessEngineExtension.builder().configurationResource("process-flow.camunda.cfg.xml").build();
  }

  final ProcessEngine engine;
  final RecordingDelegates delegates;
  final ProcessDriver driver;

  EngineOnlyBuilds(ProcessEngine engine) {
    this.engine = engine;
    this.delegates = RecordingDelegates.registerFor(MODEL);
    // what a node's SlotClaims sends when it gives a waiting build a slot
    this.driver = new ProcessDriver(engine, () -> engine.getRuntimeService()
        .createMessageCorrelation(BuildVariables.SLOT_MESSAGE).setVariable(BuildVariables.NODE, "test-node")
        .correlateAll());
    init(engine);
  }

  /** Undoes what the constructor set up: the mocks and the clock the driver moved. */
  static void reset() {
    Mocks.reset();
    ProcessDriver.resetClock();
  }

  static List<String> withDiskTasks(List<String> path, String after) {
    List<String> withDisk = new ArrayList<>(path);
    withDisk.addAll(path.indexOf(after) + 1, DISK_TASKS);
    return List.copyOf(withDisk);
  }

  /** The compensation handlers of the acquiring tasks that completed before {@code phase} on {@code path}, last first. */
  static List<String> undoneBefore(List<String> path, String phase) {
    List<String> handlers = new ArrayList<>();
    for (String task : path.subList(0, path.indexOf(phase))) {
      if (UNDO.containsKey(task)) {
        handlers.add(0, UNDO.get(task));
      }
    }
    return handlers;
  }

  /**
   * Starts a build, waiting for its slot, whose gateways decide as {@code decisions} say; undecided ones
   * take the cold path: not built, nothing stored, no package layer, no disk.
   */
  ProcessInstance start(Map<String, Object> decisions) {
    Map<String, Object> variables = new HashMap<>(Map.of(BuildVariables.ALREADY_BUILT, false,
        BuildVariables.SAME_CONTENT_STORED, false, BuildVariables.PACKAGES_FROM_CACHE, false,
        BuildVariables.DISK_REQUESTED, false));
    variables.putAll(decisions);
    return engine.getRuntimeService().startProcessInstanceByKey(BuildProcess.KEY, UUID.randomUUID().toString(),
        variables);
  }

  ProcessInstance startCold() {
    return start(Map.of());
  }

  /** The cancel as BuildService sends it: the message, with the reason as the build's error. */
  void cancel(ProcessInstance build, String reason) {
    engine.getRuntimeService().createMessageCorrelation(BuildVariables.CANCEL_MESSAGE)
        .processInstanceId(build.getId()).setVariable(BuildVariables.ERROR, reason).correlateWithResult();
  }

  /** Another attempt for the build's failed jobs, as BuildService's retry gives it. */
  void retry(ProcessInstance build) {
    List<String> failed = engine.getManagementService().createJobQuery().processInstanceId(build.getId())
        .noRetriesLeft().list().stream().map(Job::getId).toList();
    engine.getManagementService().setJobRetries(failed, 1);
  }

  /** The end event the build reached, from history. */
  String end(ProcessInstance build) {
    return driver.activities(build).stream().filter(BuildProcess.END_EVENTS::contains).findFirst().orElse("not ended");
  }

  /** A variable of the build, from history (it has ended). */
  Object variable(ProcessInstance build, String name) {
    var variable = engine.getHistoryService().createHistoricVariableInstanceQuery().processInstanceId(build.getId())
        .variableName(name).singleResult();
    return variable == null ? null : variable.getValue();
  }
}

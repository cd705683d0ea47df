package org.imagefoundry.process;

/**
 * The build process as the code names it: its key in processes/build-image.bpmn. This package is the
 * process's vocabulary (with {@link BuildVariables}), a leaf that every layer may import, so that no layer
 * imports another only to name the process.
 */
public final class BuildProcess {

  /** The process definition key of processes/build-image.bpmn. */
  public static final String KEY = "buildImage";

  /** The receive task where a build waits for a slot of its node (and where an evacuation puts it back). */
  public static final String WAIT_FOR_BUILD_SLOT = "waitForBuildSlot";

  /** The ids of the process's end events: how a build can end. */
  public static final java.util.Set<String> END_EVENTS = java.util.Set.of("succeeded", "skipped", "failed", "cancelled");

  private BuildProcess() {}
}

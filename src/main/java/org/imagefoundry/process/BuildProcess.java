package org.imagefoundry.process;

/**
 * The build process as the code names it: its key in processes/build-image.bpmn. This package is the
 * process's vocabulary (with {@link BuildVariables}), a leaf that every layer may import, so that no layer
 * imports another only to name the process.
 */
public final class BuildProcess {

  /** The process definition key of processes/build-image.bpmn. */
  public static final String KEY = "buildImage";

  private BuildProcess() {}
}

package org.imagefoundry.host;

/**
 * A failure that retrying the step cannot fix (a package apt cannot locate, a full disk, a filesystem
 * that does not fit): the build ends FAILED through a BPMN error instead of waiting in an incident.
 */
public class BuildFailure extends RuntimeException {

  public BuildFailure(String message) {
    super(message);
  }

  public BuildFailure(String message, Throwable cause) {
    super(message, cause);
  }
}

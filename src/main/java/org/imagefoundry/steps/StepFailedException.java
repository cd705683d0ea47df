package org.imagefoundry.steps;

/** A step that failed in a way a retry may fix; its message (the incident's) starts with the phase. */
public class StepFailedException extends RuntimeException {

  public StepFailedException(String phase, Throwable cause) {
    super(phase + ": " + cause.getMessage(), cause);
  }
}

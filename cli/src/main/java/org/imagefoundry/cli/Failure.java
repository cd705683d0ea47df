package org.imagefoundry.cli;

/** Why a command stops, with the exit code it stops with; its message is all the user sees (no stack trace). */
public class Failure extends RuntimeException {

  private final int exitCode;

  public Failure(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}

package org.imagefoundry.builds;

/** Where a build stands, as upstream systems see it. */
public enum BuildState {
  /** Waiting for a build slot (image-foundry.max-concurrent-builds). */
  QUEUED,
  RUNNING, INCIDENT, SUCCEEDED, SKIPPED, FAILED, CANCELLED;

  /** The end events of the diagram, each an ended state. */

  public boolean hasEnded() {
    return this == SUCCEEDED || this == SKIPPED || this == FAILED || this == CANCELLED;
  }

  /** The state of an ended build, from the end event it reached. */
  static BuildState ended(String endActivityId) {
    if (endActivityId == null) {
      return CANCELLED;
    }
    return switch (endActivityId) {
      case "succeeded" -> SUCCEEDED;
      case "skipped" -> SKIPPED;
      case "failed" -> FAILED;
      default -> CANCELLED;
    };
  }
}

package org.imagefoundry.steps;

import org.imagefoundry.host.BuildLog;
import org.imagefoundry.process.BuildVariables;

/**
 * A compensation handler: it releases what its step acquired, found by name, and never stops the
 * rest of the cleanup. A failure is logged and kept as {@code cleanupError} (the first one only, so the
 * build's own error stays the one reported); the sweep that follows tries again and reports.
 */
public abstract class CleanupStep extends BuildStep {

  protected CleanupStep(StepSupport support) {
    super(support);
  }

  protected abstract void cleanUp(Build build);

  @Override
  protected final void run(Build build) {
    try {
      cleanUp(build);
    } catch (RuntimeException e) {
      BuildLog.warn("cleanup failed, the sweep will try again: {}", e.getMessage());
      if (build.variables().cleanupError().isEmpty()) {
        build.set(BuildVariables.CLEANUP_ERROR, build.execution().getCurrentActivityId() + ": " + e.getMessage());
      }
    }
  }
}

package org.imagefoundry.steps;

import org.imagefoundry.host.Workspaces;
import org.springframework.stereotype.Component;

/** Compensates createChroot: removes the chroot directory (never while something is mounted in it). */
@Component
public class UndoCreateChroot extends CleanupStep {

  private final Workspaces workspaces;

  public UndoCreateChroot(StepSupport support) {
    super(support);
    this.workspaces = support.workspaces();
  }

  @Override
  protected void cleanUp(Build build) {
    workspaces.removeRoot(build.workspace());
  }
}

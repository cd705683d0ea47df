package org.imagefoundry.steps;

import org.imagefoundry.host.ChrootProcesses;
import org.springframework.stereotype.Component;

/** Compensates debootstrap: stops every process left in the chroot, so its filesystems can be unmounted. */
@Component
public class UndoDebootstrap extends CleanupStep {

  private final ChrootProcesses processes;

  public UndoDebootstrap(StepSupport support) {
    super(support);
    this.processes = support.processes();
  }

  @Override
  protected void cleanUp(Build build) {
    processes.stop(build.workspace());
  }
}

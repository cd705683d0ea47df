package org.imagefoundry.steps;

import org.imagefoundry.host.ChrootProcesses;
import org.springframework.stereotype.Component;

/**
 * Compensates the steps that run programs in the chroot, debootstrap and installPackages (the handlers
 * {@code undoDebootstrap} and {@code undoInstallPackages}): stops every process left in the chroot, such
 * as the daemons packages started, so that its filesystems can be unmounted. {@link BuildStep} does the same before every step;
 * here it is the handler's whole job, as the diagram shows it.
 */
@Component
public class UndoChrootProcesses extends CleanupStep {

  private final ChrootProcesses processes;

  public UndoChrootProcesses(StepSupport support) {
    super(support);
    this.processes = support.processes();
  }

  @Override
  protected void cleanUp(Build build) {
    processes.stop(build.workspace());
  }
}

package org.imagefoundry.steps;

import org.imagefoundry.host.ChrootProcesses;
import org.springframework.stereotype.Component;

/** Compensates installPackages: stops the daemons packages may have started in the chroot. */
@Component
public class UndoInstallPackages extends CleanupStep {

  private final ChrootProcesses processes;

  public UndoInstallPackages(StepSupport support) {
    super(support);
    this.processes = support.processes();
  }

  @Override
  protected void cleanUp(Build build) {
    processes.stop(build.workspace());
  }
}

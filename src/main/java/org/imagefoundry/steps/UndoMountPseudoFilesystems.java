package org.imagefoundry.steps;

import org.imagefoundry.host.LocalRepositories;
import org.imagefoundry.host.PseudoFilesystems;
import org.springframework.stereotype.Component;

/** Compensates mountPseudoFilesystems: unmounts /dev/pts, /dev, /sys, /proc and the file: repos in the chroot. */
@Component
public class UndoMountPseudoFilesystems extends CleanupStep {

  private final PseudoFilesystems pseudoFilesystems;
  private final LocalRepositories localRepositories;

  public UndoMountPseudoFilesystems(StepSupport support, PseudoFilesystems pseudoFilesystems,
      LocalRepositories localRepositories) {
    super(support);
    this.pseudoFilesystems = pseudoFilesystems;
    this.localRepositories = localRepositories;
  }

  @Override
  protected void cleanUp(Build build) {
    pseudoFilesystems.unmount(build.workspace().root());
    localRepositories.withdraw(build.workspace(), build.localRepositories());
  }
}

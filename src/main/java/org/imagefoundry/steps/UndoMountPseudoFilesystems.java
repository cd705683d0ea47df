package org.imagefoundry.steps;

import org.imagefoundry.host.PseudoFilesystems;
import org.springframework.stereotype.Component;

/** Compensates mountPseudoFilesystems: unmounts /dev/pts, /dev, /sys and /proc in the chroot. */
@Component
public class UndoMountPseudoFilesystems extends CleanupStep {

  private final PseudoFilesystems pseudoFilesystems;

  public UndoMountPseudoFilesystems(StepSupport support, PseudoFilesystems pseudoFilesystems) {
    super(support);
    this.pseudoFilesystems = pseudoFilesystems;
  }

  @Override
  protected void cleanUp(Build build) {
    pseudoFilesystems.unmount(build.workspace().root());
  }
}

package org.imagefoundry.steps;

import org.imagefoundry.host.Mounts;
import org.springframework.stereotype.Component;

/**
 * Compensates mountTarget: unmounts everything under the chroot, deepest first (the chroot's processes
 * were stopped before, as before every step).
 */
@Component
public class UndoMountTarget extends CleanupStep {

  private final Mounts mounts;

  public UndoMountTarget(StepSupport support, Mounts mounts) {
    super(support);
    this.mounts = mounts;
  }

  @Override
  protected void cleanUp(Build build) {
    mounts.unmountAll(build.workspace().root());
  }
}

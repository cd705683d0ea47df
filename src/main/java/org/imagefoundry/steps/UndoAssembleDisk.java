package org.imagefoundry.steps;

import org.imagefoundry.host.Mounts;
import org.springframework.stereotype.Component;

/** Compensates assembleDisk: unmounts the disk's filesystems, deepest first. */
@Component
public class UndoAssembleDisk extends CleanupStep {

  private final Mounts mounts;

  public UndoAssembleDisk(StepSupport support, Mounts mounts) {
    super(support);
    this.mounts = mounts;
  }

  @Override
  protected void cleanUp(Build build) {
    mounts.unmountAll(build.workspace().diskRoot());
  }
}

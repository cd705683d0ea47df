package org.imagefoundry.steps;

import org.imagefoundry.host.LoopDevices;
import org.imagefoundry.host.Mounts;
import org.springframework.stereotype.Component;

/** Unmounts the disk's filesystems (deepest first, never lazily) and detaches its loop device. */
@Component
public class ReleaseDisk extends BuildStep {

  private final Mounts mounts;
  private final LoopDevices loopDevices;

  public ReleaseDisk(StepSupport support, Mounts mounts, LoopDevices loopDevices) {
    super(support);
    this.mounts = mounts;
    this.loopDevices = loopDevices;
  }

  @Override
  protected void run(Build build) {
    mounts.unmountAll(build.workspace().diskRoot());
    loopDevices.detach(build.workspace().diskFile());
  }
}

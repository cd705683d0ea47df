package org.imagefoundry.steps;

import org.springframework.stereotype.Component;

/** Mounts the images into the chroot, shallowest mount point first; one already mounted is left as is. */
@Component
public class MountTarget extends BuildStep {

  private final ChrootMounts chrootMounts;

  public MountTarget(StepSupport support, ChrootMounts chrootMounts) {
    super(support);
    this.chrootMounts = chrootMounts;
  }

  @Override
  protected void run(Build build) {
    chrootMounts.mountImages(build);
  }
}

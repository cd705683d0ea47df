package org.imagefoundry.steps;

import org.springframework.stereotype.Component;

/**
 * /proc, /sys, /dev and /dev/pts in the chroot, for apt and maintainer scripts; the build's share of
 * the package pool at /var/cache/apt/archives; and the {@code file:} repos, read-only at their own path.
 * The images too, should a restarted service find them unmounted (see {@link ChrootMounts}).
 */
@Component
public class MountPseudoFilesystems extends BuildStep {

  private final ChrootMounts chrootMounts;

  public MountPseudoFilesystems(StepSupport support, ChrootMounts chrootMounts) {
    super(support);
    this.chrootMounts = chrootMounts;
  }

  @Override
  protected void run(Build build) {
    chrootMounts.remountImages(build);
    chrootMounts.mountAll(build);
  }
}

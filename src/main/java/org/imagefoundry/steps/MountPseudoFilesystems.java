package org.imagefoundry.steps;

import org.imagefoundry.host.PseudoFilesystems;
import org.springframework.stereotype.Component;

/** /proc, /sys, /dev and /dev/pts in the chroot, for apt and maintainer scripts. */
@Component
public class MountPseudoFilesystems extends BuildStep {

  private final PseudoFilesystems pseudoFilesystems;

  public MountPseudoFilesystems(StepSupport support, PseudoFilesystems pseudoFilesystems) {
    super(support);
    this.pseudoFilesystems = pseudoFilesystems;
  }

  @Override
  protected void run(Build build) {
    pseudoFilesystems.mount(build.workspace().root());
  }
}

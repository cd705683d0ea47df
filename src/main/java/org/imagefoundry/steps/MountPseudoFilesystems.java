package org.imagefoundry.steps;

import org.imagefoundry.cache.PackagePool;
import org.imagefoundry.host.Mounts;
import org.imagefoundry.host.PseudoFilesystems;
import org.springframework.stereotype.Component;

/**
 * /proc, /sys, /dev and /dev/pts in the chroot, for apt and maintainer scripts; and the build's share
 * of the package pool at /var/cache/apt/archives.
 */
@Component
public class MountPseudoFilesystems extends BuildStep {

  private final PseudoFilesystems pseudoFilesystems;
  private final PackagePool packagePool;
  private final Mounts mounts;

  public MountPseudoFilesystems(StepSupport support, PseudoFilesystems pseudoFilesystems, PackagePool packagePool,
      Mounts mounts) {
    super(support);
    this.pseudoFilesystems = pseudoFilesystems;
    this.packagePool = packagePool;
    this.mounts = mounts;
  }

  @Override
  protected void run(Build build) {
    pseudoFilesystems.mount(build.workspace().root());
    mounts.bind(packagePool.lend(build.workspace()), build.workspace().root().resolve(PseudoFilesystems.APT_ARCHIVES));
  }
}

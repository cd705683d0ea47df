package org.imagefoundry.steps;

import org.imagefoundry.host.BuildFailure;
import org.imagefoundry.imagetree.BootEntries;
import org.imagefoundry.process.BuildVariables;
import org.springframework.stereotype.Component;

/**
 * The kernel and initramfs the disk boots: the request's kernel package put both in /boot (its
 * postinst ran update-initramfs); the last by name that has both is the one.
 */
@Component
public class FindKernel extends BuildStep {

  private final BootEntries bootEntries;
  private final DiskMounts diskMounts;

  public FindKernel(StepSupport support, BootEntries bootEntries, DiskMounts diskMounts) {
    super(support);
    this.bootEntries = bootEntries;
    this.diskMounts = diskMounts;
  }

  @Override
  protected void run(Build build) {
    diskMounts.remount(build);
    var kernel = bootEntries.kernel(build.workspace().diskRoot().resolve("boot")).orElseThrow(() -> new BuildFailure(
        "no kernel with an initramfs in /boot: the packages must hold a kernel, e.g. "
        + build.spec().arch().kernelPackage()));
    build.set(BuildVariables.KERNEL, kernel.version());
  }
}

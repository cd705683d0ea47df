package org.imagefoundry.steps;

import java.nio.file.Path;
import org.imagefoundry.host.Apt;
import org.springframework.stereotype.Component;

/**
 * apt-get update, dist-upgrade (fuel-agent's images missed updates, LP#1489646) and install; first
 * {@code dpkg --configure -a}, in case an earlier attempt was killed in the middle of dpkg.
 */
@Component
public class InstallPackages extends BuildStep {

  private final Apt apt;
  private final ChrootMounts chrootMounts;

  public InstallPackages(StepSupport support, Apt apt, ChrootMounts chrootMounts) {
    super(support);
    this.apt = apt;
    this.chrootMounts = chrootMounts;
  }

  @Override
  protected void run(Build build) {
    chrootMounts.remountAll(build);
    Path root = build.workspace().root();
    apt.repairInterrupted(root);
    apt.update(root);
    apt.distUpgrade(root);
    apt.install(root, build.spec().packages());
  }
}

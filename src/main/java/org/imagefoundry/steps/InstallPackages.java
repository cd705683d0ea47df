package org.imagefoundry.steps;

import java.nio.file.Path;
import org.imagefoundry.cache.AptListsPool;
import org.imagefoundry.host.Apt;
import org.springframework.stereotype.Component;

/**
 * apt-get update, dist-upgrade (fuel-agent's images missed updates, LP#1489646) and install; first
 * {@code dpkg --configure -a}, in case an earlier attempt was killed in the middle of dpkg. apt-get update
 * starts from the lists pool's, so it fetches only what changed.
 */
@Component
public class InstallPackages extends BuildStep {

  private final Apt apt;
  private final ChrootMounts chrootMounts;
  private final AptListsPool lists;

  public InstallPackages(StepSupport support, Apt apt, ChrootMounts chrootMounts, AptListsPool lists) {
    super(support);
    this.apt = apt;
    this.lists = lists;
    this.chrootMounts = chrootMounts;
  }

  @Override
  protected void run(Build build) {
    chrootMounts.remountAll(build);
    Path root = build.workspace().root();
    apt.repairInterrupted(root);
    lists.lend(root);
    apt.update(root);
    lists.keep(root, build.id());
    apt.distUpgrade(root);
    apt.install(root, build.spec().packages());
  }
}

package org.imagefoundry.steps;

import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.cache.AptListsPool;
import org.imagefoundry.cache.AptSourceCaches;
import org.imagefoundry.cache.PackagePool;
import org.imagefoundry.host.Apt;
import org.imagefoundry.imagetree.AptSettings;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.springframework.stereotype.Component;

/**
 * apt-get update, then dist-upgrade (fuel-agent's images missed updates, LP#1489646) and the install of
 * the request's packages in one apt run; first
 * {@code dpkg --configure -a}, in case an earlier attempt was killed in the middle of dpkg. apt-get update
 * starts from the lists pool's, so it fetches only what changed, and does not run when an update of the
 * same configuration confirmed those within the release max age ({@link AptListsPool#current}), with
 * apt's source cache of those lists where one is kept ({@link AptSourceCaches}; apt's first command keeps
 * one otherwise); then the package pool lends copies of the package files apt is about to download that it
 * holds.
 */
@Component
public class InstallPackages extends BuildStep {

  private final Apt apt;
  private final ChrootMounts chrootMounts;
  private final AptListsPool lists;
  private final PackagePool packagePool;
  private final AptSourceCaches sourceCaches;

  public InstallPackages(StepSupport support, Apt apt, ChrootMounts chrootMounts, AptListsPool lists,
      PackagePool packagePool, AptSourceCaches sourceCaches) {
    super(support);
    this.sourceCaches = sourceCaches;
    this.apt = apt;
    this.lists = lists;
    this.chrootMounts = chrootMounts;
    this.packagePool = packagePool;
  }

  @Override
  protected void run(Build build) {
    chrootMounts.remountAll(build);
    Path root = build.workspace().root();
    apt.repairInterrupted(root);
    List<RepoSpec> repos = AptSettings.repos(build.spec(), build.mirror());
    String architecture = build.spec().arch().name();
    sourceCaches.clear(root);
    boolean current = lists.lend(root, architecture, build.id()) && lists.current(root, architecture, repos);
    if (current) {
      sourceCaches.lend(root, architecture, build.id());
    } else {
      apt.update(root);
      lists.keep(root, architecture, repos, build.id());
    }
    List<Apt.Download> downloads = apt.downloads(root, build.spec().packages());
    if (current) {
      sourceCaches.keep(root, architecture, build.id());
    }
    packagePool.lend(build.workspace(), downloads);
    apt.upgradeAndInstall(root, build.spec().packages());
    apt.makeMissingInitramfs(root);
  }
}

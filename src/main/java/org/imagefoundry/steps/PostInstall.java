package org.imagefoundry.steps;

import java.nio.file.Path;
import org.imagefoundry.cache.PackagePool;
import org.imagefoundry.host.Apt;
import org.imagefoundry.imagetree.AptSettings;
import org.imagefoundry.imagetree.DpkgSettings;
import org.imagefoundry.imagetree.ServicePolicy;
import org.imagefoundry.imagetree.SystemIdentity;
import org.imagefoundry.metadata.OsRelease;
import org.imagefoundry.process.BuildVariables;
import org.springframework.stereotype.Component;

/**
 * Makes the tree a deployable image: the root password (only when given), no SSH host keys or
 * machine-id, cloud-init's network config off, services allowed again, apt's cache, package lists and
 * the build's own apt and dpkg settings gone; and reads the os for the metadata.
 */
@Component
public class PostInstall extends BuildStep {

  private final SystemIdentity identity;
  private final ServicePolicy servicePolicy;
  private final AptSettings aptSettings;
  private final DpkgSettings dpkgSettings;
  private final Apt apt;
  private final PackagePool packagePool;
  private final ChrootMounts chrootMounts;

  public PostInstall(StepSupport support, SystemIdentity identity, ServicePolicy servicePolicy, AptSettings aptSettings,
      DpkgSettings dpkgSettings, Apt apt, PackagePool packagePool, ChrootMounts chrootMounts) {
    super(support);
    this.chrootMounts = chrootMounts;
    this.identity = identity;
    this.servicePolicy = servicePolicy;
    this.aptSettings = aptSettings;
    this.dpkgSettings = dpkgSettings;
    this.apt = apt;
    this.packagePool = packagePool;
  }

  @Override
  protected void run(Build build) {
    chrootMounts.remountAll(build);
    Path root = build.workspace().root();
    if (build.spec().hashedRootPassword() != null) {
      identity.setRootPasswordHash(root, build.spec().hashedRootPassword());
    }
    identity.forget(root);
    identity.disableCloudInitNetwork(root);
    servicePolicy.allowServices(root);
    packagePool.collect(build.workspace(), root, AptSettings.repos(build.spec(), build.mirror()));
    // apt-get clean and no Recommends kept fuel-agent's images small (LP#1514389, LP#1664152)
    apt.clean(root);
    aptSettings.removePackageLists(root);
    aptSettings.removeBuildSettings(root);
    dpkgSettings.removeBuildSettings(root);
    build.setJson(BuildVariables.OS, OsRelease.read(root));
  }
}

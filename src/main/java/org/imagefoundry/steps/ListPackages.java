package org.imagefoundry.steps;

import java.util.List;
import org.imagefoundry.host.Apt;
import org.imagefoundry.imagetree.AptSettings;
import org.imagefoundry.metadata.InstalledPackages;
import org.imagefoundry.metadata.PackageMetadata;
import org.imagefoundry.process.BuildVariables;
import org.springframework.stereotype.Component;

/**
 * The bill of materials: every package of the image's dpkg database with its version, architecture and
 * source package, and the request's repo it came from; read while apt's lists are still there.
 */
@Component
public class ListPackages extends BuildStep {

  private final Apt apt;

  public ListPackages(StepSupport support, Apt apt) {
    super(support);
    this.apt = apt;
  }

  @Override
  protected void run(Build build) {
    var root = build.workspace().root();
    List<String> installed = apt.installed(root);
    List<String> names = InstalledPackages.parse(installed, java.util.Map.of()).stream()
        .map(p -> p.name()).distinct().toList();
    var repoOf = InstalledPackages.repos(apt.policy(root, names), AptSettings.repos(build.spec(), build.mirror()));
    List<PackageMetadata> packages = InstalledPackages.parse(installed, repoOf);
    build.setJson(BuildVariables.INSTALLED_PACKAGES, packages);
  }
}

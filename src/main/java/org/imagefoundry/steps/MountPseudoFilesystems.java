package org.imagefoundry.steps;

import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.FoundrySettings;
import org.imagefoundry.cache.PackagePool;
import org.imagefoundry.host.BuildFailure;
import org.imagefoundry.host.LocalRepositories;
import org.imagefoundry.host.Mounts;
import org.imagefoundry.host.PseudoFilesystems;
import org.imagefoundry.spec.AllowedRoots;
import org.springframework.stereotype.Component;

/**
 * /proc, /sys, /dev and /dev/pts in the chroot, for apt and maintainer scripts; the build's share of
 * the package pool at /var/cache/apt/archives; and the {@code file:} repos, read-only at their own path.
 */
@Component
public class MountPseudoFilesystems extends BuildStep {

  private final PseudoFilesystems pseudoFilesystems;
  private final PackagePool packagePool;
  private final Mounts mounts;
  private final LocalRepositories localRepositories;
  private final FoundrySettings settings;

  public MountPseudoFilesystems(StepSupport support, PseudoFilesystems pseudoFilesystems, PackagePool packagePool,
      Mounts mounts, LocalRepositories localRepositories, FoundrySettings settings) {
    super(support);
    this.pseudoFilesystems = pseudoFilesystems;
    this.packagePool = packagePool;
    this.mounts = mounts;
    this.localRepositories = localRepositories;
    this.settings = settings;
  }

  @Override
  protected void run(Build build) {
    pseudoFilesystems.mount(build.workspace().root());
    mounts.bind(packagePool.lend(build.workspace()), build.workspace().root().resolve(PseudoFilesystems.APT_ARCHIVES));
    // checked again here: an admin may have pointed the mirror variable elsewhere since the request was checked
    List<Path> repositories = build.localRepositories();
    for (Path directory : repositories) {
      if (!AllowedRoots.contains(settings.allowedFileRepoRoots(), directory)) {
        throw new BuildFailure("the file: repository " + directory + " is outside image-foundry.allowed-file-repo-roots "
            + settings.allowedFileRepoRoots());
      }
    }
    localRepositories.lend(build.workspace(), repositories);
  }
}

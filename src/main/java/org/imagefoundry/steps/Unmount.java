package org.imagefoundry.steps;

import java.nio.file.Path;
import org.imagefoundry.host.LocalRepositories;
import org.imagefoundry.host.Mounts;
import org.imagefoundry.host.PseudoFilesystems;
import org.imagefoundry.spec.BuildSpec.Image;
import org.springframework.stereotype.Component;

/** Unmounts the pseudo filesystems and file: repos, then the images deepest first, never lazily (LP#1454366). */
@Component
public class Unmount extends BuildStep {

  private final PseudoFilesystems pseudoFilesystems;
  private final LocalRepositories localRepositories;
  private final Mounts mounts;

  public Unmount(StepSupport support, PseudoFilesystems pseudoFilesystems, LocalRepositories localRepositories,
      Mounts mounts) {
    super(support);
    this.pseudoFilesystems = pseudoFilesystems;
    this.localRepositories = localRepositories;
    this.mounts = mounts;
  }

  @Override
  protected void run(Build build) {
    Path root = build.workspace().root();
    pseudoFilesystems.unmount(root);
    localRepositories.withdraw(build.workspace(), build.localRepositories());
    for (String mount : Mounts.deepestFirst(build.spec().images().stream().map(Image::mount).toList())) {
      mounts.unmountAll(build.workspace().mountPoint(mount));
    }
    if (!mounts.under(root).isEmpty()) {
      throw new IllegalStateException("still mounted under the chroot: " + mounts.under(root));
    }
  }
}

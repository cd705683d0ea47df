package org.imagefoundry.steps;

import java.nio.file.Path;
import org.imagefoundry.host.Mounts;
import org.imagefoundry.host.PseudoFilesystems;
import org.imagefoundry.spec.BuildSpec.Image;
import org.springframework.stereotype.Component;

/** Unmounts the pseudo filesystems, then the images deepest first, never lazily (LP#1454366). */
@Component
public class Unmount extends BuildStep {

  private final PseudoFilesystems pseudoFilesystems;
  private final Mounts mounts;

  public Unmount(StepSupport support, PseudoFilesystems pseudoFilesystems, Mounts mounts) {
    super(support);
    this.pseudoFilesystems = pseudoFilesystems;
    this.mounts = mounts;
  }

  @Override
  protected void run(Build build) {
    Path root = build.workspace().root();
    pseudoFilesystems.unmount(root);
    for (String mount : Mounts.deepestFirst(build.spec().images().stream().map(Image::mount).toList())) {
      mounts.unmountAll(build.workspace().mountPoint(mount));
    }
    if (!mounts.under(root).isEmpty()) {
      throw new IllegalStateException("still mounted under the chroot: " + mounts.under(root));
    }
  }
}

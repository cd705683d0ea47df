package org.imagefoundry.steps;

import java.nio.file.Path;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.Filesystems;
import org.imagefoundry.host.ImageShrinker;
import org.imagefoundry.spec.BuildSpec.Image;
import org.springframework.stereotype.Component;

/**
 * Puts the journal back and shrinks each ext image to its content (e2fsck, resize2fs -M, truncate). xfs
 * cannot shrink: its image keeps its size and the metadata says so.
 */
@Component
public class ShrinkImages extends BuildStep {

  private final Filesystems filesystems;
  private final ImageShrinker shrinker;

  public ShrinkImages(StepSupport support, Filesystems filesystems, ImageShrinker shrinker) {
    super(support);
    this.filesystems = filesystems;
    this.shrinker = shrinker;
  }

  @Override
  protected void run(Build build) {
    for (Image image : build.spec().images()) {
      Path file = build.workspace().imageFile(image.index());
      String format = image.spec().format();
      if (!Filesystems.isExt(format)) {
        BuildLog.info("{} is {}, which cannot shrink: published at its full size", image.mount(), format);
        continue;
      }
      filesystems.enableJournal(file, format);
      long size = shrinker.shrink(file);
      BuildLog.info("{} shrunk to {} bytes", image.mount(), size);
    }
  }
}

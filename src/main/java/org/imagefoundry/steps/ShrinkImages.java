package org.imagefoundry.steps;

import java.nio.file.Path;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.Filesystems;
import org.imagefoundry.host.ImageShrinker;
import org.imagefoundry.host.LiveFilesystems;
import org.imagefoundry.spec.BuildSpec.Image;
import org.springframework.stereotype.Component;

/**
 * Puts the journal back and shrinks each ext image to its content (e2fsck, resize2fs -M, truncate). xfs
 * cannot shrink: its image keeps its size and the metadata says so. Nothing is touched before every
 * image's filesystem is proved dead everywhere, and e2fsck must find each clean (see ImageShrinker).
 */
@Component
public class ShrinkImages extends BuildStep {

  private final Filesystems filesystems;
  private final ImageShrinker shrinker;
  private final LiveFilesystems liveFilesystems;

  public ShrinkImages(StepSupport support, Filesystems filesystems, ImageShrinker shrinker,
      LiveFilesystems liveFilesystems) {
    super(support);
    this.filesystems = filesystems;
    this.shrinker = shrinker;
    this.liveFilesystems = liveFilesystems;
  }

  @Override
  protected void run(Build build) {
    liveFilesystems.awaitDead(build.imageFiles());
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

package org.imagefoundry.steps;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.imagefoundry.host.Filesystems;
import org.imagefoundry.host.LiveFilesystems;
import org.imagefoundry.host.Publisher;
import org.imagefoundry.host.Publisher.Published;
import org.imagefoundry.metadata.ImageMetadata;
import org.imagefoundry.monitoring.BuildMetrics;
import org.imagefoundry.spec.BuildSpec.Image;
import org.springframework.stereotype.Component;

/**
 * Compresses each image into its container in the output directory, with md5 and size of both; only
 * once every image's filesystem is proved dead everywhere.
 */
@Component
public class Containerize extends BuildStep {

  private final Publisher publisher;
  private final BuildMetrics metrics;
  private final LiveFilesystems liveFilesystems;

  public Containerize(StepSupport support, Publisher publisher, LiveFilesystems liveFilesystems) {
    super(support);
    this.publisher = publisher;
    this.metrics = support.metrics();
    this.liveFilesystems = liveFilesystems;
  }

  @Override
  protected void run(Build build) {
    liveFilesystems.awaitDead(build.imageFiles());
    Path output = publisher.outputDirectory(build.spec().output());
    List<ImageMetadata> images = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    for (Image image : build.spec().images()) {
      Path target = output.resolve(image.spec().fileName());
      Published published = publisher.publish(build.workspace().imageFile(image.index()), image.spec().container(),
          target, build.id());
      images.add(new ImageMetadata(image.spec().container(), published.containerMd5(), image.spec().fileName(),
          published.containerSize(), image.spec().format(), image.mount(), published.rawMd5(), null,
          published.rawSize(), Filesystems.isExt(image.spec().format())));
      paths.add(target.toString());
      metrics.imagePublished(published.rawSize(), published.containerSize());
    }
    build.setJson(BuildVariables.IMAGES, images);
    build.setJson(BuildVariables.OUTPUT_PATHS, paths);
  }
}

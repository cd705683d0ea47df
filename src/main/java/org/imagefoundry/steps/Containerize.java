package org.imagefoundry.steps;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.imagefoundry.admission.OutputClaims;
import org.imagefoundry.cache.CacheKey;
import org.imagefoundry.cache.ImageStore;
import org.imagefoundry.host.Filesystems;
import org.imagefoundry.host.LiveFilesystems;
import org.imagefoundry.host.Publisher;
import org.imagefoundry.host.Publisher.Published;
import org.imagefoundry.metadata.ImageMetadata;
import org.imagefoundry.metrics.BuildMetrics;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.spec.BuildSpec.Image;
import org.springframework.stereotype.Component;

/**
 * Compresses each image into its container in the output directory, with md5 and size of both; only
 * once every image's filesystem is proved dead everywhere. The raw md5s go with the images' entry in the
 * image store, so that a raw image published from there again is not read for its md5.
 */
@Component
public class Containerize extends BuildStep {

  private final Publisher publisher;
  private final BuildMetrics metrics;
  private final LiveFilesystems liveFilesystems;
  private final ImageStore imageStore;
  private final OutputClaims claims;

  public Containerize(StepSupport support, Publisher publisher, LiveFilesystems liveFilesystems, ImageStore imageStore,
      OutputClaims claims) {
    super(support);
    this.claims = claims;
    this.publisher = publisher;
    this.imageStore = imageStore;
    this.metrics = support.metrics();
    this.liveFilesystems = liveFilesystems;
  }

  @Override
  protected void run(Build build) {
    liveFilesystems.awaitDead(build.imageFiles());
    Path output = publisher.outputDirectory(build.spec().output());
    claims.publishing(build.id());
    List<ImageMetadata> images = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    List<String> storedMd5s = build.getJson(BuildVariables.STORED_RAW_MD5S, new TypeReference<List<String>>() {});
    List<String> rawMd5s = new ArrayList<>();
    for (Image image : build.spec().images()) {
      Path target = output.resolve(image.spec().fileName());
      Published published = publisher.publish(build.workspace().imageFile(image.index()), image.spec().container(),
          target, build.id(), storedMd5s == null ? null : storedMd5s.get(image.index()));
      rawMd5s.add(published.rawMd5());
      images.add(new ImageMetadata(image.spec().container(), published.containerMd5(), image.spec().fileName(),
          published.containerSize(), image.spec().format(), image.mount(), published.rawMd5(), null,
          published.rawSize(), Filesystems.isExt(image.spec().format())));
      paths.add(target.toString());
      metrics.imagePublished(published.rawSize(), published.containerSize());
    }
    CacheKey stored = CacheKeys.recordedContent(build);
    if (stored != null && storedMd5s == null) {
      imageStore.recordRawMd5s(stored, rawMd5s, build.id());
    }
    build.setJson(BuildVariables.IMAGES, images);
    build.setJson(BuildVariables.OUTPUT_PATHS, paths);
  }
}

package org.imagefoundry.steps;

import java.nio.file.Files;
import java.util.Objects;
import java.util.Optional;
import org.imagefoundry.cache.CacheKey;
import org.imagefoundry.cache.ImageStore;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.metadata.BuildMetadata;
import org.imagefoundry.metadata.MetadataFiles;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.spec.BuildSpec;
import org.springframework.stereotype.Component;

/**
 * Skips the build when every output image (the disk and the SPDX document included) exists and the
 * metadata beside them records the same request. fuel-agent only checked that the files exist; its own
 * TODO asked for this. Otherwise looks for images of the same content (an earlier build that differed
 * only in output, file names, containers or root password) in the image store, to publish them instead
 * of building.
 */
@Component
public class CheckExistingImages extends BuildStep {

  private final CacheKeys cacheKeys;
  private final ImageStore images;

  public CheckExistingImages(StepSupport support, CacheKeys cacheKeys, ImageStore images) {
    super(support);
    this.cacheKeys = cacheKeys;
    this.images = images;
  }

  @Override
  protected void run(Build build) {
    BuildSpec spec = build.spec();
    String hash = build.variables().requestHash();
    boolean built = MetadataFiles.read(spec.metadataFile())
        .filter(metadata -> hash.equals(metadata.requestHash()))
        .filter(metadata -> allPublished(spec, metadata))
        .isPresent();
    BuildLog.info(built ? "every image exists with metadata for this very request: nothing to build"
        : "building: the images or metadata for this request are not there yet");
    build.set(BuildVariables.ALREADY_BUILT, built);
    Optional<CacheKey> content = built ? Optional.empty()
        : cacheKeys.content(build).filter(key -> servable(key, spec));
    content.ifPresent(key -> BuildLog.info("images of the same content are stored: publishing them ({})", key.digest()));
    build.set(BuildVariables.SAME_CONTENT_STORED, content.isPresent());
    build.setJson(BuildVariables.CONTENT_KEY, content.orElse(null));
  }

  /**
   * Stored images serve a request of their content whose root password they hold, or one that gives a
   * root password setRootPassword can write into them (an ext root filesystem). A request without a root
   * password is not served from images that hold one.
   */
  private boolean servable(CacheKey key, BuildSpec spec) {
    if (!images.contains(key)) {
      return false;
    }
    String wanted = spec.hashedRootPassword();
    return Objects.equals(wanted, images.rootPasswordHash(key)) || wanted != null && SetRootPassword.canSet(spec);
  }

  private static boolean allPublished(BuildSpec spec, BuildMetadata metadata) {
    boolean disk = spec.disk() == null || metadata.disk() != null
        && Files.isRegularFile(spec.metadataFile().resolveSibling(spec.disk().name()));
    return disk && Files.isRegularFile(spec.sbomFile()) && spec.images().stream().allMatch(image ->
        Files.isRegularFile(spec.outputFile(image.spec()))
            && metadata.images().stream().anyMatch(m -> m.containerName().equals(image.spec().fileName())));
  }
}

package org.imagefoundry.steps;

import java.nio.file.Files;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.metadata.BuildMetadata;
import org.imagefoundry.metadata.MetadataFiles;
import org.imagefoundry.spec.BuildSpec;
import org.springframework.stereotype.Component;

/**
 * Skips the build when every output image (the disk and the SPDX document included) exists and the
 * metadata beside them records the same request. fuel-agent only checked that the files exist; its own TODO asked for this.
 */
@Component
public class CheckExistingImages extends BuildStep {

  public CheckExistingImages(StepSupport support) {
    super(support);
  }

  @Override
  protected void run(Build build) {
    BuildSpec spec = build.spec();
    String hash = (String) build.execution().getVariable(BuildVariables.REQUEST_HASH);
    boolean built = MetadataFiles.read(spec.metadataFile())
        .filter(metadata -> hash.equals(metadata.requestHash()))
        .filter(metadata -> allPublished(spec, metadata))
        .isPresent();
    BuildLog.info(built ? "every image exists with metadata for this very request: nothing to build"
        : "building: the images or metadata for this request are not there yet");
    build.set(BuildVariables.ALREADY_BUILT, built);
  }

  private static boolean allPublished(BuildSpec spec, BuildMetadata metadata) {
    boolean disk = spec.disk() == null || metadata.disk() != null
        && Files.isRegularFile(spec.metadataFile().resolveSibling(spec.disk().name()));
    return disk && Files.isRegularFile(spec.sbomFile()) && spec.images().stream().allMatch(image ->
        Files.isRegularFile(spec.outputFile(image.spec()))
            && metadata.images().stream().anyMatch(m -> m.containerName().equals(image.spec().fileName())));
  }
}

package org.imagefoundry.steps;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import org.imagefoundry.cache.CacheKey;
import org.imagefoundry.cache.ImageStore;
import org.imagefoundry.process.BuildVariables;
import org.springframework.stereotype.Component;

/**
 * Keeps the finished (shrunk) filesystem images in the image store under the build's content key, for
 * later requests of the same content; nothing when the build has no package-layer key.
 */
@Component
public class StoreImages extends BuildStep {

  private final ImageStore images;

  public StoreImages(StepSupport support, ImageStore images) {
    super(support);
    this.images = images;
  }

  @Override
  protected void run(Build build) {
    CacheKey layer = CacheKeys.recordedLayer(build);
    if (layer == null) {
      return;
    }
    CacheKey key = images.key(layer, build.spec());
    build.setJson(BuildVariables.CONTENT_KEY, key);
    if (!images.contains(key)) {
      String os = build.getJson(BuildVariables.OS, new TypeReference<JsonNode>() {}).toString();
      String packages = build.getJson(BuildVariables.INSTALLED_PACKAGES, new TypeReference<JsonNode>() {}).toString();
      images.store(key, build.imageFiles(), new ImageStore.Facts(os, packages, build.spec().hashedRootPassword()), build.id());
    }
  }
}

package org.imagefoundry.steps;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.Optional;
import org.imagefoundry.cache.CacheKey;
import org.imagefoundry.cache.BaseTreeCache;
import org.imagefoundry.cache.ImageStore;
import org.imagefoundry.cache.PackageLayerCache;
import org.imagefoundry.imagetree.AptSettings;
import org.imagefoundry.process.BuildVariables;
import org.springframework.stereotype.Component;

/** The keys of a build's base tree, package layer and content, as the build's mirror and repos answer now. */
@Component
public class CacheKeys {

  private final BaseTreeCache baseTrees;
  private final PackageLayerCache layers;
  private final ImageStore images;

  public CacheKeys(BaseTreeCache baseTrees, PackageLayerCache layers, ImageStore images) {
    this.baseTrees = baseTrees;
    this.layers = layers;
    this.images = images;
  }

  public Optional<CacheKey> base(Build build) {
    return baseTrees.key(Debootstrap.options(build), build.spec().proxies());
  }

  public Optional<CacheKey> layer(Build build, Optional<CacheKey> base) {
    return base.flatMap(key -> layers.key(key, AptSettings.repos(build.spec(), build.mirror()), build.spec().packages(),
        build.spec().variant(), build.spec().proxies()));
  }

  public Optional<CacheKey> content(Build build) {
    return layer(build, base(build)).map(layer -> images.key(layer, build.spec()));
  }

  /** The content key a step before this one recorded, or null. */
  public static CacheKey recordedContent(Build build) {
    return inLayer(build.getJson(BuildVariables.CONTENT_KEY, new TypeReference<CacheKey>() {}), ImageStore.LAYER);
  }

  /** The package layer's key a step before this one recorded, or null. */
  public static CacheKey recordedLayer(Build build) {
    return inLayer(build.getJson(BuildVariables.PACKAGE_LAYER_KEY, new TypeReference<CacheKey>() {}),
        PackageLayerCache.LAYER);
  }

  /** A key recorded by a version before the one store had no layer: a build that crossed the upgrade goes on. */
  static CacheKey inLayer(CacheKey recorded, String layer) {
    return recorded == null || recorded.layer() != null ? recorded
        : new CacheKey(layer, recorded.digest(), recorded.description());
  }
}

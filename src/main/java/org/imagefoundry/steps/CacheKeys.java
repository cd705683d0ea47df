package org.imagefoundry.steps;

import java.util.Optional;
import org.imagefoundry.cache.CacheKey;
import org.imagefoundry.cache.BaseTreeCache;
import org.imagefoundry.cache.ImageStore;
import org.imagefoundry.cache.PackageLayerCache;
import org.imagefoundry.imagetree.AptSettings;
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
}

package org.imagefoundry.steps;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.Optional;
import org.imagefoundry.cache.CacheKey;
import org.imagefoundry.cache.BaseTreeCache;
import org.imagefoundry.cache.ImageStore;
import org.imagefoundry.cache.PackageLayerCache;
import org.imagefoundry.imagetree.AptSettings;
import org.imagefoundry.imagetree.RecentReleases;
import org.imagefoundry.imagetree.ReleaseFiles;
import org.imagefoundry.process.BuildVariables;
import org.springframework.stereotype.Component;

/** The keys of a build's base tree, package layer and content, as the build's mirror and repos answer now. */
@Component
public class CacheKeys {

  private final BaseTreeCache baseTrees;
  private final PackageLayerCache layers;
  private final ImageStore images;
  private final RecentReleases recentReleases;

  public CacheKeys(BaseTreeCache baseTrees, PackageLayerCache layers, ImageStore images, RecentReleases recentReleases) {
    this.baseTrees = baseTrees;
    this.layers = layers;
    this.images = images;
    this.recentReleases = recentReleases;
  }

  /** A build's base-tree key and, on it, its package layer's key; empty where a cache is off or a repo cannot tell. */
  public record Keys(Optional<CacheKey> base, Optional<CacheKey> layer) {}

  /**
   * Both keys in one lookup: each repo's Release file is fetched once (the base suite's serves both), or
   * taken from this node's recent fetches.
   */
  public Keys baseAndLayer(Build build) {
    ReleaseFiles releases = new ReleaseFiles(build.spec().proxies(), recentReleases);
    Optional<CacheKey> base = baseTrees.key(Debootstrap.options(build), releases);
    Optional<CacheKey> layer = base.flatMap(key -> layers.key(key, AptSettings.repos(build.spec(), build.mirror()),
        build.spec().packages(), build.spec().variant(), releases));
    return new Keys(base, layer);
  }

  public Optional<CacheKey> content(Build build) {
    return baseAndLayer(build).layer().map(layer -> images.key(layer, build.spec()));
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

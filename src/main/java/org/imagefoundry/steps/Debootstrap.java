package org.imagefoundry.steps;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.imagefoundry.cache.CacheKey;
import org.imagefoundry.cache.BaseTreeCache;
import org.imagefoundry.cache.BootstrapPackages;
import org.imagefoundry.cache.CacheStore;
import org.imagefoundry.cache.PackageLayerCache;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.Debootstrapper;
import org.imagefoundry.host.Mounts;
import org.imagefoundry.imagetree.AptSettings;
import org.imagefoundry.imagetree.DpkgSettings;
import org.imagefoundry.imagetree.ServicePolicy;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.spec.BuildSpec;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.springframework.stereotype.Component;

/**
 * The base system, with signature checks: the whole package layer (base and packages) unpacked from the
 * package-layer cache when an identical build's is there (installPackages is then skipped); otherwise the
 * base unpacked from the base-tree cache when an identical debootstrap is there, otherwise
 * debootstrapped and then stored there. After an interrupted attempt
 * it starts again on a clean filesystem: whatever the earlier attempt mounted or wrote goes first.
 */
@Component
public class Debootstrap extends BuildStep {

  static final Path DEBIAN_KEYRING = Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");

  private final Debootstrapper debootstrapper;
  private final BaseTreeCache cache;
  private final Mounts mounts;
  private final ServicePolicy servicePolicy;
  private final DpkgSettings dpkgSettings;
  private final ChrootMounts chrootMounts;
  private final Duration debootstrapTimeout;
  private final PackageLayerCache layers;
  private final CacheKeys cacheKeys;
  private final Duration layerPatience;
  private final BootstrapPackages bootstrapPackages;

  public Debootstrap(StepSupport support, Debootstrapper debootstrapper, BaseTreeCache cache, PackageLayerCache layers,
      CacheKeys cacheKeys, BootstrapPackages bootstrapPackages, Mounts mounts, ServicePolicy servicePolicy,
      DpkgSettings dpkgSettings, ChrootMounts chrootMounts, FoundrySettings settings) {
    super(support);
    this.bootstrapPackages = bootstrapPackages;
    this.cacheKeys = cacheKeys;
    this.layers = layers;
    this.layerPatience = settings.timeouts().debootstrap().plus(settings.timeouts().apt());
    this.chrootMounts = chrootMounts;
    this.debootstrapper = debootstrapper;
    this.cache = cache;
    this.mounts = mounts;
    this.servicePolicy = servicePolicy;
    this.dpkgSettings = dpkgSettings;
    this.debootstrapTimeout = settings.timeouts().debootstrap();
  }

  @Override
  protected void run(Build build) {
    chrootMounts.remountImages(build);
    Path root = build.workspace().root();
    Debootstrapper.Options options = options(build);
    CacheKeys.Keys keys = cacheKeys.baseAndLayer(build);
    Optional<CacheKey> key = keys.base();
    build.set(BuildVariables.PACKAGES_FROM_CACHE, false);
    Optional<CacheKey> layer = keys.layer();
    build.setJson(BuildVariables.PACKAGE_LAYER_KEY, layer.orElse(null));
    if (layer.isPresent()) {
      layers.claim(layer.get(), build.id(), layerPatience);
      prepareEmptyTarget(build);
      Optional<String> packages = layers.restore(layer.get(), root, build.id());
      if (packages.isPresent()) {
        layers.release(build.id());
        build.setJson(BuildVariables.INSTALLED_PACKAGES, packages.get());
        build.set(BuildVariables.BASE_FROM_CACHE, true);
        build.set(BuildVariables.PACKAGES_FROM_CACHE, true);
        return;
      }
    }
    if (key.isEmpty()) {
      prepareEmptyTarget(build);
      bootstrap(build, options);
      build.set(BuildVariables.BASE_FROM_CACHE, false);
      return;
    }
    try (CacheStore.Hold fill = cache.hold(key.get(), build.id(), debootstrapTimeout)) {
      prepareEmptyTarget(build);
      if (cache.restore(key.get(), root, build.id())) {
        build.set(BuildVariables.BASE_FROM_CACHE, true);
        return;
      }
      prepareEmptyTarget(build);
      bootstrap(build, options);
      cache.store(key.get(), root, build.id());
      build.set(BuildVariables.BASE_FROM_CACHE, false);
    }
  }

  /**
   * mmdebstrap fed from the package pool (all of the last bootstrap like it, or else whatever it needs,
   * fetched beforehand several at a time), whose packages then go into the pool and out of the tree; the
   * lists it fetched stay for installPackages (the base-tree cache leaves them out).
   */
  private void bootstrap(Build build, Debootstrapper.Options options) {
    Path root = build.workspace().root();
    bootstrapPackages.feed(options, root, build.id(), build.spec().proxies());
    debootstrapper.run(root, options);
    bootstrapPackages.keep(options, root, build.id());
    debootstrapper.removeDownloadedPackages(root);
  }

  /** An empty target (but for its mount points) with services forbidden and dpkg's unsafe I/O on. */
  private void prepareEmptyTarget(Build build) {
    Path root = build.workspace().root();
    Set<Path> targetMounts = build.spec().images().stream()
        .map(image -> build.workspace().mountPoint(image.mount())).collect(Collectors.toSet());
    if (!debootstrapper.isEmpty(root, targetMounts)) {
      BuildLog.warn("the target holds what an earlier attempt left: clearing it");
      mounts.under(root).stream().filter(p -> !targetMounts.contains(p)).forEach(mounts::unmount);
      debootstrapper.clearTarget(root, targetMounts);
    }
    servicePolicy.forbidServices(root);
    dpkgSettings.useUnsafeIo(root);
  }

  static Debootstrapper.Options options(Build build) {
    BuildSpec spec = build.spec();
    RepoSpec base = spec.baseRepo();
    Path keyring = base.keyring() != null ? Path.of(base.keyring()) : DEBIAN_KEYRING;
    return new Debootstrapper.Options(base.suite(), build.mirror(), spec.arch().name(), spec.variant(), List.of("ca-certificates"),
        keyring, base.skipsSignatureChecks(), AptSettings.proxyEnvironment(spec.proxies()));
  }
}

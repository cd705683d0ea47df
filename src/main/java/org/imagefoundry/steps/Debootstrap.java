package org.imagefoundry.steps;

import java.io.IOException;
import java.nio.file.Files;
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
import org.imagefoundry.host.BesideTasks;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.Debootstrapper;
import org.imagefoundry.host.Mounts;
import org.imagefoundry.host.TreeArchives;
import org.imagefoundry.imagetree.AptSettings;
import org.imagefoundry.imagetree.DpkgSettings;
import org.imagefoundry.imagetree.ServicePolicy;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.spec.BuildSpec;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.imagefoundry.spec.Sizes;
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
  private final TreeArchives trees;
  private final BesideTasks beside;

  public Debootstrap(StepSupport support, Debootstrapper debootstrapper, BaseTreeCache cache, PackageLayerCache layers,
      CacheKeys cacheKeys, BootstrapPackages bootstrapPackages, Mounts mounts, ServicePolicy servicePolicy,
      DpkgSettings dpkgSettings, ChrootMounts chrootMounts, TreeArchives trees, BesideTasks beside,
      FoundrySettings settings) {
    super(support);
    this.trees = trees;
    this.beside = beside;
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
      bootstrap(build, options, Optional.empty());
      build.set(BuildVariables.BASE_FROM_CACHE, false);
      return;
    }
    // the hold waits for another build of the same base, whose store may still run beside its later steps
    try (CacheStore.Hold fill = cache.hold(key.get(), build.id(), debootstrapTimeout)) {
      prepareEmptyTarget(build);
      if (cache.restore(key.get(), root, build.id())) {
        build.set(BuildVariables.BASE_FROM_CACHE, true);
        return;
      }
      prepareEmptyTarget(build);
      bootstrap(build, options, key);
      build.set(BuildVariables.BASE_FROM_CACHE, false);
    }
  }

  /**
   * mmdebstrap fed from the package pool (all of the last bootstrap like it, or else whatever it needs,
   * fetched beforehand several at a time), whose packages then go into the pool and out of the tree; the
   * lists it fetched stay for installPackages (the base-tree cache leaves them out). It builds in memory
   * (the workspace's bootstrap scratch, a tmpfs as large as the request's images together): here 7.6 s
   * against 8.7 s in the loop filesystem for a minbase, whose copy into the chroot then takes 0.2 s. The
   * base-tree cache stores the tree from there beside the build's next steps (about 0.1 s as a plain tar,
   * on the other core; {@link BesideTasks}), and the scratch goes after it.
   */
  private void bootstrap(Build build, Debootstrapper.Options options, Optional<CacheKey> key) {
    Path root = build.workspace().root();
    Path scratch = build.workspace().bootstrapScratch();
    beside.await(build.id()); // an earlier attempt's store may still read the scratch
    mounts.unmountAll(scratch); // what an interrupted attempt left
    mounts.mountMemory(scratch, memoryFor(build.spec()));
    boolean handedOver = false;
    try {
      servicePolicy.forbidServices(scratch);
      dpkgSettings.useUnsafeIo(scratch);
      boolean listsCurrent = bootstrapPackages.feed(options, scratch, build.id(), build.spec().proxies());
      debootstrapper.run(scratch, options, listsCurrent);
      bootstrapPackages.keep(options, scratch, build.id());
      debootstrapper.removeDownloadedPackages(scratch);
      trees.copy(scratch, root);
      if (key.isPresent()) {
        beside.start(build.id(), () -> storeAndRelease(key.get(), scratch, build.id()));
        handedOver = true;
      }
    } finally {
      if (!handedOver) {
        release(scratch);
      }
    }
  }

  /** Beside the build's later steps: the base tree stored from the scratch, which then goes. */
  private void storeAndRelease(CacheKey key, Path scratch, String buildId) {
    try {
      cache.store(key, scratch, buildId);
    } finally {
      release(scratch);
    }
  }

  private void release(Path scratch) {
    mounts.unmountAll(scratch);
    deleteEmpty(scratch);
  }

  /** The request's images together: a bootstrap that does not fit in them would not fit in the chroot. */
  static long memoryFor(BuildSpec spec) {
    return spec.images().stream().mapToLong(image -> image.spec().size() == null ? Sizes.DEFAULT_IMAGE_SIZE
        : image.spec().size()).sum();
  }

  private static void deleteEmpty(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      BuildLog.warn("could not remove {}: {}", dir, e.getMessage()); // the sweep removes the workspace
    }
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

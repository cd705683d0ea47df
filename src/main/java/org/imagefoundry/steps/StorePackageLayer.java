package org.imagefoundry.steps;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.imagefoundry.cache.CacheKey;
import org.imagefoundry.cache.PackageLayerCache;
import org.imagefoundry.host.LocalRepositories;
import org.imagefoundry.host.PseudoFilesystems;
import org.imagefoundry.process.BuildVariables;
import org.springframework.stereotype.Component;

/**
 * Keeps the tree installPackages made, and the packages listPackages read from it, in the package-layer cache, when debootstrap found a key for it
 * and no entry: with the chroot's pseudo filesystems, package pool and {@code file:} repos unmounted
 * for the while, so that only the images' own files go in; then mounts them again for postInstall.
 */
@Component
public class StorePackageLayer extends BuildStep {

  private final PackageLayerCache layers;
  private final PseudoFilesystems pseudoFilesystems;
  private final LocalRepositories localRepositories;
  private final ChrootMounts chrootMounts;

  public StorePackageLayer(StepSupport support, PackageLayerCache layers, PseudoFilesystems pseudoFilesystems,
      LocalRepositories localRepositories, ChrootMounts chrootMounts) {
    super(support);
    this.layers = layers;
    this.pseudoFilesystems = pseudoFilesystems;
    this.localRepositories = localRepositories;
    this.chrootMounts = chrootMounts;
  }

  @Override
  protected void run(Build build) {
    CacheKey key = CacheKeys.recordedLayer(build);
    if (key == null || build.variables().packagesFromCache()) {
      return;
    }
    chrootMounts.remountImages(build);
    Path root = build.workspace().root();
    pseudoFilesystems.unmount(root);
    localRepositories.withdraw(build.workspace(), build.localRepositories());
    String packages = build.getJson(BuildVariables.INSTALLED_PACKAGES, new TypeReference<JsonNode>() {}).toString();
    layers.store(key, root, packages, build.id());
    chrootMounts.mountAll(build);
  }
}

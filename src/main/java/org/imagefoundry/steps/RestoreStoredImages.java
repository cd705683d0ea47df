package org.imagefoundry.steps;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.imagefoundry.cache.CacheKey;
import org.imagefoundry.cache.ImageStore;
import org.imagefoundry.host.BuildFailure;
import org.imagefoundry.process.BuildVariables;
import org.springframework.stereotype.Component;

/**
 * Copies the stored images of the same content into the build's workspace, where the disk tasks and
 * containerize take them, and takes the os and the installed packages read from them. The root image is
 * left to setRootPassword when the request asks for another root password: it copies that one itself,
 * into the copy it rewrites, so its bytes are copied once. Should the entry have gone meanwhile, the build
 * fails and a new request builds it.
 */
@Component
public class RestoreStoredImages extends BuildStep {

  /** Why a build served from stored images fails when the entry went meanwhile. */
  static final String GONE = "the stored images of the same content are gone: submit the request again";

  private final ImageStore images;

  public RestoreStoredImages(StepSupport support, ImageStore images) {
    super(support);
    this.images = images;
  }

  @Override
  protected void run(Build build) {
    CacheKey key = CacheKeys.recordedContent(build);
    List<Path> targets = new ArrayList<>(build.imageFiles());
    SetRootPassword.rewrites(build.spec(), images.rootPasswordHash(key)).ifPresent(root -> targets.set(root.index(), null));
    ImageStore.Facts facts = images.restore(key, targets, build.id())
        .orElseThrow(() -> new BuildFailure(GONE));
    build.setJson(BuildVariables.OS, facts.os());
    build.setJson(BuildVariables.INSTALLED_PACKAGES, facts.packages());
    build.setJson(BuildVariables.STORED_RAW_MD5S, facts.rawMd5s().isEmpty() ? null : facts.rawMd5s());
    build.set(BuildVariables.STORED_ROOT_PASSWORD, facts.rootPasswordHash());
    build.set(BuildVariables.BASE_FROM_CACHE, true);
    build.set(BuildVariables.PACKAGES_FROM_CACHE, true);
  }
}

package org.imagefoundry.steps;

import java.nio.file.Path;
import org.imagefoundry.cache.PackageLayerCache;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.BuildResources;
import org.springframework.stereotype.Component;

/**
 * Releases whatever of the build is still on the host, found by name. It ends every build, after
 * success as after compensation (tasks {@code sweep}, {@code sweepAfterFailure}, {@code sweepAfterCancel}),
 * because a step that failed midway never completed and so is never compensated. Every part runs even
 * when another fails; then the first failure fails the task, so an admin sees it as an incident.
 */
@Component
public class Sweep extends BuildStep {

  private final BuildResources resources;
  private final PackageLayerCache layers;

  public Sweep(StepSupport support, BuildResources resources, PackageLayerCache layers) {
    super(support);
    this.resources = resources;
    this.layers = layers;
  }

  @Override
  protected void run(Build build) {
    // a build that failed between debootstrap and storePackageLayer must not keep others of its key waiting
    layers.release(build.id());
    resources.release(build.workspace(), Path.of(build.spec().output()));
    BuildLog.info("nothing of the build is left on the host");
  }
}

package org.imagefoundry.steps;

import org.imagefoundry.imagetree.AptSettings;
import org.springframework.stereotype.Component;

/** apt's sources, pins and build settings inside the image. */
@Component
public class ConfigureApt extends BuildStep {

  private final AptSettings aptSettings;
  private final ChrootMounts chrootMounts;

  public ConfigureApt(StepSupport support, AptSettings aptSettings, ChrootMounts chrootMounts) {
    super(support);
    this.aptSettings = aptSettings;
    this.chrootMounts = chrootMounts;
  }

  @Override
  protected void run(Build build) {
    chrootMounts.remountImages(build);
    aptSettings.write(build.workspace().root(), build.spec(), build.mirror());
  }
}

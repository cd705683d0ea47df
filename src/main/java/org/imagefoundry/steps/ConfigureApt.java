package org.imagefoundry.steps;

import org.imagefoundry.imagetree.AptSettings;
import org.springframework.stereotype.Component;

/** apt's sources, pins and build settings inside the image. */
@Component
public class ConfigureApt extends BuildStep {

  private final AptSettings aptSettings;

  public ConfigureApt(StepSupport support, AptSettings aptSettings) {
    super(support);
    this.aptSettings = aptSettings;
  }

  @Override
  protected void run(Build build) {
    aptSettings.write(build.workspace().root(), build.spec(), build.mirror());
  }
}

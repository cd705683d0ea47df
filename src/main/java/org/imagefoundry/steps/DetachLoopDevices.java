package org.imagefoundry.steps;

import org.imagefoundry.host.LoopDevices;
import org.imagefoundry.spec.BuildSpec.Image;
import org.springframework.stereotype.Component;

/** Detaches each image file's loop device. */
@Component
public class DetachLoopDevices extends BuildStep {

  private final LoopDevices loopDevices;

  public DetachLoopDevices(StepSupport support, LoopDevices loopDevices) {
    super(support);
    this.loopDevices = loopDevices;
  }

  @Override
  protected void run(Build build) {
    for (Image image : build.spec().images()) {
      loopDevices.detach(build.workspace().imageFile(image.index()));
    }
  }
}

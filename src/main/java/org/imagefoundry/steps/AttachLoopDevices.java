package org.imagefoundry.steps;

import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.LoopDevices;
import org.imagefoundry.spec.BuildSpec.Image;
import org.springframework.stereotype.Component;

/** A loop device per image file; one already attached to the file (an earlier attempt's) is reused. */
@Component
public class AttachLoopDevices extends BuildStep {

  private final LoopDevices loopDevices;

  public AttachLoopDevices(StepSupport support, LoopDevices loopDevices) {
    super(support);
    this.loopDevices = loopDevices;
  }

  @Override
  protected void run(Build build) {
    for (Image image : build.spec().images()) {
      String device = loopDevices.attach(build.workspace().imageFile(image.index()));
      BuildLog.info("{} is on {}", image.mount(), device);
    }
  }
}

package org.imagefoundry.steps;

import java.util.List;
import org.imagefoundry.host.LoopDevices;
import org.imagefoundry.host.Mounts;
import org.imagefoundry.spec.BuildSpec.Image;
import org.springframework.stereotype.Component;

/** Mounts the images into the chroot, shallowest mount point first; one already mounted is left as is. */
@Component
public class MountTarget extends BuildStep {

  private final LoopDevices loopDevices;
  private final Mounts mounts;

  public MountTarget(StepSupport support, LoopDevices loopDevices, Mounts mounts) {
    super(support);
    this.loopDevices = loopDevices;
    this.mounts = mounts;
  }

  @Override
  protected void run(Build build) {
    List<Image> images = build.spec().images();
    for (String mount : Mounts.shallowestFirst(images.stream().map(Image::mount).toList())) {
      Image image = images.stream().filter(i -> i.mount().equals(mount)).findFirst().orElseThrow();
      String device = loopDevices.attach(build.workspace().imageFile(image.index()));
      mounts.mount(device, image.spec().format(), build.workspace().mountPoint(mount));
    }
  }
}

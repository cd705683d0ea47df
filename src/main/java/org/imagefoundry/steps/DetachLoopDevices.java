package org.imagefoundry.steps;

import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.host.LiveFilesystems;
import org.imagefoundry.host.LoopDevices;
import org.springframework.stereotype.Component;

/**
 * Detaches each image file's loop device, then proves each filesystem dead everywhere: a busy device is
 * only marked for autoclear, and a copy of the build's mounts in another mount namespace keeps it busy.
 */
@Component
public class DetachLoopDevices extends BuildStep {

  private final LoopDevices loopDevices;
  private final LiveFilesystems liveFilesystems;

  public DetachLoopDevices(StepSupport support, LoopDevices loopDevices, LiveFilesystems liveFilesystems) {
    super(support);
    this.loopDevices = loopDevices;
    this.liveFilesystems = liveFilesystems;
  }

  @Override
  protected void run(Build build) {
    List<Path> files = build.imageFiles();
    files.forEach(loopDevices::detach);
    liveFilesystems.awaitDead(files);
  }
}

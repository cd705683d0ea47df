package org.imagefoundry.steps;

import java.nio.file.Path;
import org.imagefoundry.host.LoopDevices;
import org.imagefoundry.host.SparseFiles;
import org.springframework.stereotype.Component;

/** Compensates attachLoopDevices: detaches every loop device of the workspace's image files. */
@Component
public class UndoAttachLoopDevices extends CleanupStep {

  private final LoopDevices loopDevices;
  private final SparseFiles sparseFiles;

  public UndoAttachLoopDevices(StepSupport support, LoopDevices loopDevices, SparseFiles sparseFiles) {
    super(support);
    this.loopDevices = loopDevices;
    this.sparseFiles = sparseFiles;
  }

  @Override
  protected void cleanUp(Build build) {
    for (Path file : sparseFiles.in(build.workspace())) {
      loopDevices.detach(file);
    }
  }
}

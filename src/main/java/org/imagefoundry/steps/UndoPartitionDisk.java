package org.imagefoundry.steps;

import org.imagefoundry.host.LoopDevices;
import org.imagefoundry.host.SparseFiles;
import org.springframework.stereotype.Component;

/** Compensates partitionDisk: detaches the disk's loop device and removes the disk file. */
@Component
public class UndoPartitionDisk extends CleanupStep {

  private final LoopDevices loopDevices;
  private final SparseFiles sparseFiles;

  public UndoPartitionDisk(StepSupport support, LoopDevices loopDevices, SparseFiles sparseFiles) {
    super(support);
    this.loopDevices = loopDevices;
    this.sparseFiles = sparseFiles;
  }

  @Override
  protected void cleanUp(Build build) {
    loopDevices.detach(build.workspace().diskFile());
    sparseFiles.delete(build.workspace().diskFile());
  }
}

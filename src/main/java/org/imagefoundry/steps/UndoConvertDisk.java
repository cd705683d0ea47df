package org.imagefoundry.steps;

import org.imagefoundry.host.SparseFiles;
import org.springframework.stereotype.Component;

/** Compensates convertDisk: removes the converted disk. */
@Component
public class UndoConvertDisk extends CleanupStep {

  private final SparseFiles sparseFiles;

  public UndoConvertDisk(StepSupport support, SparseFiles sparseFiles) {
    super(support);
    this.sparseFiles = sparseFiles;
  }

  @Override
  protected void cleanUp(Build build) {
    sparseFiles.delete(build.workspace().convertedDisk());
  }
}

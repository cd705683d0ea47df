package org.imagefoundry.steps;

import java.nio.file.Path;
import org.imagefoundry.host.SparseFiles;
import org.springframework.stereotype.Component;

/** Compensates createSparseFiles: unlinks every image file of the workspace. */
@Component
public class UndoCreateSparseFiles extends CleanupStep {

  private final SparseFiles sparseFiles;

  public UndoCreateSparseFiles(StepSupport support, SparseFiles sparseFiles) {
    super(support);
    this.sparseFiles = sparseFiles;
  }

  @Override
  protected void cleanUp(Build build) {
    for (Path file : sparseFiles.in(build.workspace())) {
      sparseFiles.delete(file);
    }
  }
}

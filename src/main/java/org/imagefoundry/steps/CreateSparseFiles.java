package org.imagefoundry.steps;

import org.imagefoundry.host.FreeSpace;
import org.imagefoundry.host.SparseFiles;
import org.imagefoundry.spec.BuildSpec.Image;
import org.springframework.stereotype.Component;

/**
 * One sparse file per image (8 GiB unless the request says otherwise), so the filesystem can grow later;
 * first a check that the build root has the free space a build needs.
 */
@Component
public class CreateSparseFiles extends BuildStep {

  private final SparseFiles sparseFiles;
  private final FreeSpace freeSpace;

  public CreateSparseFiles(StepSupport support, SparseFiles sparseFiles) {
    super(support);
    this.sparseFiles = sparseFiles;
    this.freeSpace = support.freeSpace();
  }

  @Override
  protected void run(Build build) {
    freeSpace.require();
    for (Image image : build.spec().images()) {
      sparseFiles.create(build.workspace().imageFile(image.index()), image.spec().size());
    }
  }
}

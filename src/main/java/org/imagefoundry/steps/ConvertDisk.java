package org.imagefoundry.steps;

import java.nio.file.Files;
import org.imagefoundry.host.DiskImages;
import org.imagefoundry.host.SparseFiles;
import org.springframework.stereotype.Component;

/** The raw disk converted with qemu-img into the requested format; a raw disk is published as it is. */
@Component
public class ConvertDisk extends BuildStep {

  private final DiskImages diskImages;
  private final SparseFiles sparseFiles;

  public ConvertDisk(StepSupport support, DiskImages diskImages, SparseFiles sparseFiles) {
    super(support);
    this.diskImages = diskImages;
    this.sparseFiles = sparseFiles;
  }

  @Override
  protected void run(Build build) {
    var converted = build.workspace().convertedDisk();
    sparseFiles.delete(converted);
    if (!"raw".equals(build.spec().disk().format())) {
      diskImages.convert(build.workspace().diskFile(), build.spec().disk().format(), converted);
    }
    if (!"raw".equals(build.spec().disk().format()) && !Files.isRegularFile(converted)) {
      throw new IllegalStateException("qemu-img left no " + converted);
    }
  }
}

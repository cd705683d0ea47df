package org.imagefoundry.steps;

import org.imagefoundry.host.LoopDevices;
import org.imagefoundry.host.PartitionTables;
import org.imagefoundry.host.SparseFiles;
import org.imagefoundry.spec.DiskLayout;
import org.springframework.stereotype.Component;

/** A sparse disk file of the request's layout, its partition table, and a loop device with a node per partition. */
@Component
public class PartitionDisk extends BuildStep {

  private final SparseFiles sparseFiles;
  private final PartitionTables partitionTables;
  private final LoopDevices loopDevices;

  public PartitionDisk(StepSupport support, SparseFiles sparseFiles, PartitionTables partitionTables,
      LoopDevices loopDevices) {
    super(support);
    this.sparseFiles = sparseFiles;
    this.partitionTables = partitionTables;
    this.loopDevices = loopDevices;
  }

  @Override
  protected void run(Build build) {
    DiskLayout layout = DiskLayout.of(build.spec());
    var disk = build.workspace().diskFile();
    loopDevices.detach(disk); // a retry starts from a fresh table
    sparseFiles.delete(disk);
    sparseFiles.create(disk, layout.size());
    partitionTables.write(disk, layout.sfdiskScript());
    loopDevices.attachWithPartitions(disk);
  }
}

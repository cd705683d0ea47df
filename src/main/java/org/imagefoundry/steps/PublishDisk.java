package org.imagefoundry.steps;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.List;
import org.imagefoundry.admission.OutputClaims;
import org.imagefoundry.host.Publisher.Published;
import org.imagefoundry.host.Publisher;
import org.imagefoundry.metadata.DiskMetadata.PartitionMetadata;
import org.imagefoundry.metadata.DiskMetadata;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.spec.BuildSpec.DiskSpec;
import org.springframework.stereotype.Component;

/** The disk into the output directory (written aside, then renamed), with its md5 and size. */
@Component
public class PublishDisk extends BuildStep {

  private final Publisher publisher;
  private final OutputClaims claims;

  public PublishDisk(StepSupport support, Publisher publisher, OutputClaims claims) {
    super(support);
    this.claims = claims;
    this.publisher = publisher;
  }

  @Override
  protected void run(Build build) {
    DiskSpec disk = build.spec().disk();
    var source = "raw".equals(disk.format()) ? build.workspace().diskFile() : build.workspace().convertedDisk();
    var target = publisher.outputDirectory(build.spec().output()).resolve(disk.name());
    claims.publishing(build.id());
    Published published = publisher.publish(source, "raw", target, build.id());
    List<PartitionMetadata> partitions = build.getJson(BuildVariables.DISK_PARTITIONS,
        new TypeReference<List<PartitionMetadata>>() {});
    build.setJson(BuildVariables.DISK, new DiskMetadata(disk.name(), disk.format(), published.containerSize(),
        published.containerMd5(), disk.boot(), disk.partitionTable(), partitions));
  }
}

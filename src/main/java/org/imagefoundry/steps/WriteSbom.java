package org.imagefoundry.steps;

import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Instant;
import java.util.List;
import org.imagefoundry.host.Publisher;
import org.imagefoundry.imagetree.AptSettings;
import org.imagefoundry.metadata.OsInfo;
import org.imagefoundry.metadata.PackageMetadata;
import org.imagefoundry.metadata.SpdxDocument;
import org.imagefoundry.process.BuildVariables;
import org.springframework.stereotype.Component;

/** The SPDX 2.3 document of the image's packages beside the metadata ({@code <name>.spdx.json}). */
@Component
public class WriteSbom extends BuildStep {

  private final Publisher publisher;

  public WriteSbom(StepSupport support, Publisher publisher) {
    super(support);
    this.publisher = publisher;
  }

  @Override
  protected void run(Build build) {
    var file = build.spec().sbomFile();
    String image = build.spec().imageData().get("/").fileName();
    var document = SpdxDocument.of(image, build.id(), Instant.now(),
        build.getJson(BuildVariables.OS, new TypeReference<OsInfo>() {}),
        build.getJson(BuildVariables.INSTALLED_PACKAGES, new TypeReference<List<PackageMetadata>>() {}),
        AptSettings.repos(build.spec(), build.mirror()));
    publisher.outputDirectory(build.spec().output());
    publisher.writeAtomically(file, document.render(), build.id());
    build.set(BuildVariables.SBOM_PATH, file.toString());
  }
}

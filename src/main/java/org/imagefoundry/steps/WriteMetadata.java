package org.imagefoundry.steps;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.imagefoundry.host.Publisher;
import org.imagefoundry.imagetree.AptSettings;
import org.imagefoundry.metadata.BuildMetadata;
import org.imagefoundry.metadata.DiskMetadata;
import org.imagefoundry.metadata.ImageMetadata;
import org.imagefoundry.metadata.MetadataFiles;
import org.imagefoundry.metadata.OsInfo;
import org.imagefoundry.metadata.PackageMetadata;
import org.imagefoundry.metadata.RepoMetadata;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.spec.BuildSpec;
import org.springframework.stereotype.Component;

/** The metadata YAML beside the images, in fuel-agent's format, with the request's hash. */
@Component
public class WriteMetadata extends BuildStep {

  private final Publisher publisher;

  public WriteMetadata(StepSupport support, Publisher publisher) {
    super(support);
    this.publisher = publisher;
  }

  @Override
  protected void run(Build build) {
    BuildSpec spec = build.spec();
    List<RepoMetadata> repos = AptSettings.repos(spec, build.mirror()).stream()
        .map(r -> new RepoMetadata(null, r.name(), r.priority(), r.section(), r.suite(), r.type(), r.uri(), r.skipsSignatureChecks(),
            r.keyring()))
        .toList();
    var metadata = new BuildMetadata(
        build.getJson(BuildVariables.IMAGES, new TypeReference<List<ImageMetadata>>() {}),
        build.getJson(BuildVariables.OS, new TypeReference<OsInfo>() {}),
        spec.packages(),
        repos,
        spec.arch().name(),
        build.id(),
        build.variables().requestHash(),
        build.variables().baseFromCache(),
        build.variables().packagesFromCache(),
        build.variables().sameContentStored(),
        Instant.now().toString(),
        build.getJson(BuildVariables.DISK, new TypeReference<DiskMetadata>() {}),
        build.getJson(BuildVariables.INSTALLED_PACKAGES, new TypeReference<List<PackageMetadata>>() {}),
        spec.sbomFile().getFileName().toString());
    Path file = spec.metadataFile();
    publisher.writeAtomically(file, MetadataFiles.render(metadata), build.id());
    build.set(BuildVariables.METADATA_PATH, file.toString());
  }
}

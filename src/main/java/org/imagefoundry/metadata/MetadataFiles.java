package org.imagefoundry.metadata;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads and renders the metadata YAML (keys sorted, as fuel-agent's yaml.safe_dump wrote them). */
public final class MetadataFiles {

  private static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .build())
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private MetadataFiles() {}

  public static byte[] render(BuildMetadata metadata) {
    try {
      return YAML.writeValueAsBytes(metadata);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The metadata at {@code file}, or empty when there is none or it cannot be read as ours. */
  public static Optional<BuildMetadata> read(Path file) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(YAML.readValue(file.toFile(), BuildMetadata.class));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}

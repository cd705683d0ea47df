package org.imagefoundry.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.imagefoundry.testing.SpdxSchema;
import org.junit.jupiter.api.Test;

class SpdxDocumentTest {

  static final List<RepoSpec> REPOS = List.of(
      new RepoSpec("debian", "http://mirror.invalid/debian", "bookworm", "main", null, "deb", null, null));

  @Test
  void aDocumentOfPackagesValidatesAgainstTheSpdx23SchemaAndNamesEachPackagesVersionAndRepo() throws Exception {
    var packages = List.of(
        new PackageMetadata("libstdc++6", "12.2.0-14+deb12u1", "amd64", "gcc-12", "debian"),
        new PackageMetadata("local-tool", "1:0.1~rc1", "all", "local-tool", null));

    JsonNode document = new ObjectMapper().readTree(
        SpdxDocument.of("root.img.gz", "b-1", Instant.parse("2026-01-02T03:04:05.678Z"), new OsInfo("Debian", 12, 11),
            packages, REPOS).render());

    assertThat(SpdxSchema.problems(document)).isEmpty();
    assertThat(document.get("spdxVersion").asText()).isEqualTo("SPDX-2.3");
    assertThat(document.get("creationInfo").get("created").asText()).isEqualTo("2026-01-02T03:04:05Z");
    JsonNode first = document.get("packages").get(0);
    assertThat(first.get("SPDXID").asText()).matches("SPDXRef-[A-Za-z0-9.-]+");
    assertThat(first.get("versionInfo").asText()).isEqualTo("12.2.0-14+deb12u1");
    assertThat(first.get("downloadLocation").asText()).isEqualTo("http://mirror.invalid/debian");
    assertThat(first.get("externalRefs").get(0).get("referenceLocator").asText())
        .isEqualTo("pkg:deb/debian/libstdc%2B%2B6@12.2.0-14%2Bdeb12u1?arch=amd64&upstream=gcc-12");
    assertThat(document.get("packages").get(1).get("downloadLocation").asText()).isEqualTo("NOASSERTION");
    assertThat(document.get("relationships")).hasSize(2);
  }

  @Test
  void theSchemaRejectsADocumentWithoutItsVersion() throws Exception {
    JsonNode document = new ObjectMapper().readTree("{\"SPDXID\": \"SPDXRef-DOCUMENT\"}");

    assertThat(SpdxSchema.problems(document)).isNotEmpty();
  }
}

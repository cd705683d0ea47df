package org.imagefoundry.metadata;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.imagefoundry.spec.BuildSpec.RepoSpec;

/**
 * An image's bill of materials as an SPDX 2.3 JSON document: one package per installed Debian package,
 * with its version, its repo (as download location and source info) and its package URL.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SpdxDocument(
    String spdxVersion,
    String dataLicense,
    @JsonProperty("SPDXID") String spdxId,
    String name,
    String documentNamespace,
    CreationInfo creationInfo,
    List<Package> packages,
    List<Relationship> relationships) {

  private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  public record CreationInfo(String created, List<String> creators) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Package(@JsonProperty("SPDXID") String spdxId, String name, String versionInfo, String downloadLocation, boolean filesAnalyzed,
      String supplier, String sourceInfo, List<ExternalRef> externalRefs) {}

  public record ExternalRef(String referenceCategory, String referenceType, String referenceLocator) {}

  public record Relationship(String spdxElementId, String relationshipType, String relatedSpdxElement) {}

  /** The document of build {@code buildId}'s image {@code imageName}, created at {@code created}. */
  public static SpdxDocument of(String imageName, String buildId, Instant created, OsInfo os,
      List<PackageMetadata> installed, List<RepoSpec> repos) {
    List<Package> packages = new ArrayList<>();
    List<Relationship> relationships = new ArrayList<>();
    String distro = os == null || os.name() == null ? "debian" : os.name().toLowerCase(java.util.Locale.ROOT);
    for (int i = 0; i < installed.size(); i++) {
      PackageMetadata p = installed.get(i);
      String id = "SPDXRef-Package-" + (i + 1) + "-" + p.name().replaceAll("[^A-Za-z0-9.-]", "-");
      Optional<RepoSpec> repo = repos.stream().filter(r -> r.name().equals(p.repo())).findFirst();
      String purl = "pkg:deb/" + distro + "/" + encode(p.name()) + "@" + encode(p.version()) + "?arch="
          + encode(p.architecture()) + (p.source().equals(p.name()) ? "" : "&upstream=" + encode(p.source()));
      packages.add(new Package(id, p.name(), p.version(),
          repo.map(RepoSpec::uri).orElse("NOASSERTION"), false, "NOASSERTION",
          repo.map(r -> "repo " + r.name() + ": " + r.uri() + " " + r.suite() + " " + r.section()).orElse(null),
          List.of(new ExternalRef("PACKAGE-MANAGER", "purl", purl))));
      relationships.add(new Relationship("SPDXRef-DOCUMENT", "DESCRIBES", id));
    }
    return new SpdxDocument("SPDX-2.3", "CC0-1.0", "SPDXRef-DOCUMENT", imageName,
        "https://imagefoundry.org/spdx/" + buildId,
        new CreationInfo(created.truncatedTo(ChronoUnit.SECONDS).toString(), List.of("Tool: image-foundry")),
        packages, relationships);
  }

  public byte[] render() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }
}

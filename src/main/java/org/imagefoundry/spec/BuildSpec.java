package org.imagefoundry.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A build request: fuel-agent's {@code fa_build_image} input plus our extensions ({@code variant}; per
 * image {@code options}, {@code label}, {@code size}; per repo {@code trusted}, {@code keyring}; {@code disk}: a
 * bootable disk made of the images; {@code architecture}: Debian's name of the architecture it is for).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildSpec(
    @JsonProperty("image_data") Map<String, ImageSpec> imageData,
    String output,
    String codename,
    List<RepoSpec> repos,
    List<String> packages,
    @JsonProperty("root_password") String rootPassword,
    @JsonProperty("hashed_root_password") String hashedRootPassword,
    Proxies proxies,
    String variant,
    DiskSpec disk,
    String architecture) {

  /** The architecture's row: amd64 when the request names none. */
  @JsonIgnore
  public Architecture arch() {
    return Architecture.named(architecture).orElseThrow(() -> new IllegalStateException(
        "unknown architecture " + architecture + ": the request was not validated"));
  }

  /** One image of the request, with its position (which names its sparse file) and mount point. */
  public record Image(int index, String mount, ImageSpec spec) {}

  public List<Image> images() {
    List<Image> images = new ArrayList<>();
    imageData.forEach((mount, spec) -> images.add(new Image(images.size(), mount, spec)));
    return images;
  }

  /** The repo debootstrap uses: fuel-agent takes the first. */
  @JsonIgnore
  public RepoSpec baseRepo() {
    return repos.get(0);
  }

  /** {@code output/<basename of the "/" image up to its first '.'>.yaml}, as fuel-agent names it. */
  @JsonIgnore
  public Path metadataFile() {
    String name = imageData.get("/").fileName();
    return Path.of(output).resolve(name.substring(0, name.indexOf('.') < 0 ? name.length() : name.indexOf('.')) + ".yaml");
  }

  /** The SPDX document beside the metadata: {@code output/<the same base name>.spdx.json}. */
  @JsonIgnore
  public Path sbomFile() {
    String yaml = metadataFile().getFileName().toString();
    return metadataFile().resolveSibling(yaml.substring(0, yaml.length() - ".yaml".length()) + ".spdx.json");
  }

  public Path outputFile(ImageSpec image) {
    return Path.of(output).resolve(image.fileName());
  }

  /** One filesystem image: where it is published, its filesystem and container. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ImageSpec(String uri, String format, String container, List<String> options, String label, Long size) {

    /** The output file name: the basename of the uri. */
    @JsonIgnore
    public String fileName() {
      String path = URI.create(uri).getPath();
      if (path == null) {
        path = uri;
      }
      return path.substring(path.lastIndexOf('/') + 1);
    }
  }

  /** An apt repository; {@code priority} null means no pin. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RepoSpec(String name, String uri, String suite, String section, Integer priority, String type,
      Boolean trusted, String keyring) {

    public RepoSpec withUri(String newUri) {
      return new RepoSpec(name, newUri, suite, section, priority, type, trusted, keyring);
    }

    /** The directory of a {@code file:} repo. */
    @JsonIgnore
    public Optional<Path> localDirectory() {
      URI parsed = uri == null ? null : URI.create(uri);
      return parsed != null && "file".equals(parsed.getScheme()) ? Optional.of(Path.of(parsed.getPath())) : Optional.empty();
    }

    /**
     * Marked {@code trusted}: debootstrap and apt skip its signature checks. (Named so that Jackson does
     * not take it for the {@code trusted} component's getter: an ignored {@code isTrusted()} once made
     * Jackson drop {@code trusted} from every request.)
     */
    public boolean skipsSignatureChecks() {
      return Boolean.TRUE.equals(trusted);
    }
  }

  /**
   * A bootable disk of the images: each mount point a partition of its image's size, a swap partition
   * when {@code swap} is given, {@code format} raw or qcow2, {@code boot} bios, uefi or both, published as
   * {@code output/name}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DiskSpec(String name, String format, @JsonProperty("partition_table") String partitionTable,
      String boot, Long size, Swap swap) {

    /** {@code boot} bios (the default) or both: GRUB for BIOS. */
    public boolean bootsBios() {
      return boot == null || "bios".equals(boot) || "both".equals(boot);
    }

    /** {@code boot} uefi or both: an EFI system partition with GRUB for UEFI at its removable path. */
    public boolean bootsUefi() {
      return "uefi".equals(boot) || "both".equals(boot);
    }
  }

  /** The disk's swap partition. */
  public record Swap(Long size) {}

  /** Proxies for apt and debootstrap; hosts in {@code direct_repo_addr_list} are reached directly. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Proxies(Map<String, String> protocols,
      @JsonProperty("direct_repo_addr_list") List<String> directRepoAddrList) {}
}

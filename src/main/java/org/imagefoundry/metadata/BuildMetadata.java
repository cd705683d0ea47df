package org.imagefoundry.metadata;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The YAML file written beside the images, with fuel-agent's fields first and ours after: among them the
 * architecture, the disk (when requested), every installed package, and the SPDX document's file name.
 */
public record BuildMetadata(
    List<ImageMetadata> images,
    OsInfo os,
    List<String> packages,
    List<RepoMetadata> repos,
    String architecture,
    @JsonProperty("build_id") String buildId,
    @JsonProperty("request_hash") String requestHash,
    @JsonProperty("base_from_cache") boolean baseFromCache,
    @JsonProperty("packages_from_cache") boolean packagesFromCache,
    @JsonProperty("images_from_cache") boolean imagesFromCache,
    @JsonProperty("created_at") String createdAt,
    DiskMetadata disk,
    @JsonProperty("installed_packages") List<PackageMetadata> installedPackages,
    String sbom) {}

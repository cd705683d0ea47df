package org.imagefoundry.metadata;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One image as fuel-agent's metadata lists it ({@code raw_name} stays null as there), plus our
 * {@code mount} and {@code shrunk} (false for xfs, which cannot shrink).
 */
public record ImageMetadata(
    String container,
    @JsonProperty("container_md5") String containerMd5,
    @JsonProperty("container_name") String containerName,
    @JsonProperty("container_size") long containerSize,
    String format,
    String mount,
    @JsonProperty("raw_md5") String rawMd5,
    @JsonProperty("raw_name") String rawName,
    @JsonProperty("raw_size") long rawSize,
    boolean shrunk) {}

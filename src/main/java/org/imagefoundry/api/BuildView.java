package org.imagefoundry.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** A build as {@code GET /api/builds/{id}} returns it. */
public record BuildView(String id, BuildState state, String phase, Instant createdAt, Instant endedAt, String error,
    JsonNode images, String metadataPath) {}

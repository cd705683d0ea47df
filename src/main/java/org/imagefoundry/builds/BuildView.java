package org.imagefoundry.builds;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A build as {@code GET /api/builds/{id}} returns it: where it stands, its result, and its progress
 * (completed phases of all phases) with the start, end and duration of every task it ran. {@code node}
 * is the node that carries it out (null while it waits for a slot); {@code architecture} Debian's name of
 * the architecture the build is for. {@code supersededBy} names the later
 * build that replaced its output files; then {@code images} and {@code disk} are null, as the files on disk
 * are not its own. {@code disk} is the published disk as the metadata has it, when the request asked for one.
 */
public record BuildView(String id, BuildState state, String phase, String node, String architecture,
    Instant createdAt, Instant endedAt, String error, JsonNode images, JsonNode disk, String metadataPath,
    double progress, List<PhaseView> phases, String supersededBy) {

  /** One task the build ran (a phase, a compensation handler or the sweep), from the engine's history. */
  public record PhaseView(String phase, Instant startedAt, Instant endedAt, Long durationMs) {}
}

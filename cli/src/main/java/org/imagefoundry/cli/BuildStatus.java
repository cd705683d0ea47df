package org.imagefoundry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Where a build stands, as {@code GET /api/builds/{id}} says: the part of it the command line shows. */
public record BuildStatus(String id, String state, String phase, double progress, Instant createdAt, Instant endedAt,
    String error, String metadataPath, List<Output> outputs) {

  static final Set<String> ENDED = Set.of("SUCCEEDED", "SKIPPED", "FAILED", "CANCELLED");
  static final Set<String> GOOD = Set.of("SUCCEEDED", "SKIPPED");

  /** A published image or disk file with its md5 (the container's, as the metadata records it). */
  public record Output(String path, String md5) {}

  public static BuildStatus of(JsonNode build) {
    String metadataPath = text(build, "metadataPath");
    List<Output> outputs = new ArrayList<>();
    for (JsonNode image : build.path("images")) {
      String name = image.path("container_name").asText("");
      if (!name.isEmpty()) {
        String path = metadataPath == null ? name : Path.of(metadataPath).resolveSibling(name).toString();
        outputs.add(new Output(path, image.path("container_md5").asText("")));
      }
    }
    String disk = build.path("disk").path("name").asText("");
    if (!disk.isEmpty()) {
      String path = metadataPath == null ? disk : Path.of(metadataPath).resolveSibling(disk).toString();
      outputs.add(new Output(path, build.path("disk").path("md5").asText("")));
    }
    return new BuildStatus(build.path("id").asText(), build.path("state").asText(), text(build, "phase"),
        build.path("progress").asDouble(0), instant(build, "createdAt"), instant(build, "endedAt"),
        text(build, "error"), metadataPath, List.copyOf(outputs));
  }

  public boolean hasEnded() {
    return ENDED.contains(state);
  }

  /** SUCCEEDED or SKIPPED: what exit code 0 stands for. */
  public boolean isGood() {
    return GOOD.contains(state);
  }

  /** From its creation to its end, or to {@code now} while it runs (null when the service gave no start). */
  public Duration duration(Instant now) {
    if (createdAt == null) {
      return null;
    }
    Duration duration = Duration.between(createdAt, endedAt == null ? now : endedAt);
    return duration.isNegative() ? Duration.ZERO : duration;
  }

  /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
  public static String clock(Duration duration) {
    if (duration == null) {
      return "-";
    }
    long seconds = duration.toSeconds();
    return seconds >= 3600 ? "%d:%02d:%02d".formatted(seconds / 3600, seconds % 3600 / 60, seconds % 60)
        : "%d:%02d".formatted(seconds / 60, seconds % 60);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isNull() || value.isMissingNode() ? null : value.asText();
  }

  private static Instant instant(JsonNode node, String field) {
    String text = text(node, field);
    return text == null ? null : Instant.parse(text);
  }
}

package org.imagefoundry.cockpit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.imagefoundry.builds.BuildQueries;
import org.imagefoundry.builds.BuildService;
import org.imagefoundry.builds.BuildState;
import org.imagefoundry.builds.BuildView;
import org.imagefoundry.builds.Page;
import org.imagefoundry.process.BuildProcess;
import org.springframework.stereotype.Component;

/**
 * What Cockpit's Image Foundry plugin shows and does: the API's views of builds, with what a Cockpit page
 * needs beside them (the process instance to link to, the node, the first line of the error), a build's
 * log from an offset, its metadata and its image files.
 */
@Component
public class CockpitBuilds {

  /** The most of a log one answer carries; the Build log tab asks again from where it ended. */
  static final int LOG_CHUNK = 256 * 1024;

  private final BuildQueries queries;
  private final BuildService builds;
  private final HistoryService history;

  public CockpitBuilds(BuildQueries queries, BuildService builds, HistoryService history) {
    this.queries = queries;
    this.builds = builds;
    this.history = history;
  }

  /** One image file of an ended build, as its metadata lists it. */
  public record ImageFile(String name, Long size, String md5) {}

  /** A line of the Builds panel. */
  public record BuildRow(String id, String processInstanceId, BuildState state, String phase, double progress,
      String node, String architecture, Instant createdAt, Instant endedAt, long durationMs, String error,
      boolean hasMetadata, List<ImageFile> images) {}

  /** Part of a build's log: the text from an offset, where the next part starts, and whether more can come. */
  public record LogChunk(String text, long next, boolean ended) {}

  public List<BuildRow> list(BuildState state, Page page) {
    List<BuildView> views = queries.list(state, page);
    if (views.isEmpty()) {
      return List.of();
    }
    Map<String, HistoricProcessInstance> instances = history.createHistoricProcessInstanceQuery()
        .processDefinitionKey(BuildProcess.KEY)
        .processInstanceBusinessKeyIn(views.stream().map(BuildView::id).toArray(String[]::new)).list().stream()
        .collect(Collectors.toMap(HistoricProcessInstance::getBusinessKey, Function.identity(), (a, b) -> a));
    return views.stream().map(view -> row(view, instances.get(view.id()))).toList();
  }

  public Optional<BuildRow> find(String id) {
    return queries.find(id).map(view -> row(view, instance(id)));
  }

  /** The build a process instance carries out, by the instance's id (Cockpit's process instance view knows only that). */
  public Optional<BuildRow> byProcessInstance(String processInstanceId) {
    return Optional.ofNullable(history.createHistoricProcessInstanceQuery().processInstanceId(processInstanceId)
            .processDefinitionKey(BuildProcess.KEY).singleResult())
        .flatMap(instance -> find(instance.getBusinessKey()));
  }

  public Optional<LogChunk> log(String id, long from) {
    return queries.logFile(id).map(file -> {
      boolean ended = queries.hasEnded(id);
      if (!Files.exists(file)) {
        return new LogChunk("", 0, ended);
      }
      try (InputStream in = Files.newInputStream(file)) {
        long start = Math.max(0, Math.min(from, Files.size(file)));
        in.skipNBytes(start);
        byte[] bytes = in.readNBytes(LOG_CHUNK);
        long next = start + bytes.length;
        // an ended build's log is whole only once it has been read to its end
        return new LogChunk(new String(bytes, StandardCharsets.UTF_8), next, ended && next >= Files.size(file));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  public Optional<Path> logFile(String id) {
    return queries.logFile(id);
  }

  /** The metadata YAML of a published build. */
  public Optional<Path> metadata(String id) {
    return queries.find(id).map(BuildView::metadataPath).map(Path::of).filter(Files::isRegularFile);
  }

  /** An image file of a published build: only a name its metadata lists, in the metadata's directory. */
  public Optional<Path> image(String id, String name) {
    return queries.find(id).filter(view -> view.metadataPath() != null)
        .filter(view -> images(view).stream().anyMatch(image -> image.name().equals(name)))
        .filter(view -> !name.contains("/") && !name.startsWith("."))
        .map(view -> Path.of(view.metadataPath()).resolveSibling(name))
        .filter(Files::isRegularFile);
  }

  public BuildService.Outcome cancel(String id, String user) {
    return builds.cancel(id, "cancelled by " + user + " in Cockpit");
  }

  private BuildRow row(BuildView view, HistoricProcessInstance instance) {
    Instant end = view.endedAt() == null ? Instant.now() : view.endedAt();
    return new BuildRow(view.id(), instance == null ? null : instance.getId(), view.state(), view.phase(),
        view.progress(), view.node(), view.architecture(), view.createdAt(), view.endedAt(),
        Duration.between(view.createdAt(), end).toMillis(), firstLine(view.error()), view.metadataPath() != null,
        images(view));
  }

  private HistoricProcessInstance instance(String id) {
    return history.createHistoricProcessInstanceQuery().processDefinitionKey(BuildProcess.KEY)
        .processInstanceBusinessKey(id).singleResult();
  }

  /** The build's published files that the panel links and serves: its images, then its disk. */
  static List<ImageFile> images(BuildView view) {
    List<ImageFile> files = new ArrayList<>();
    if (view.images() != null && view.images().isArray()) {
      for (JsonNode image : view.images()) {
        files.add(new ImageFile(image.path("container_name").asText(),
            image.path("container_size").isNumber() ? image.path("container_size").asLong() : null,
            image.path("container_md5").asText(null)));
      }
    }
    if (view.disk() != null && view.disk().hasNonNull("name")) {
      files.add(new ImageFile(view.disk().path("name").asText(),
          view.disk().path("size").isNumber() ? view.disk().path("size").asLong() : null,
          view.disk().path("md5").asText(null)));
    }
    return files;
  }

  static String firstLine(String text) {
    return text == null ? null : text.lines().filter(line -> !line.isBlank()).findFirst().orElse(null);
  }
}

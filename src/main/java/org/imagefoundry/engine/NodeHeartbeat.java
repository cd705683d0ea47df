package org.imagefoundry.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.imagefoundry.cache.BaseTreeCache;
import org.imagefoundry.cache.PackagePool;
import org.imagefoundry.host.FreeSpace;
import org.imagefoundry.settings.FoundrySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Lazy;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Every five seconds, this node's {@link Heartbeat} into the engine's properties (one row per node,
 * written only by that node); and every node's last heartbeat, read back.
 */
@Component
public class NodeHeartbeat {

  private static final Logger LOG = LoggerFactory.getLogger(NodeHeartbeat.class);

  private final ManagementService management;
  private final NodeIdentity node;
  private final FoundrySettings settings;
  private final FreeSpace freeSpace;
  private final BaseTreeCache baseTrees;
  private final PackagePool packages;
  private final ObjectMapper json;

  public NodeHeartbeat(@Lazy ManagementService management, NodeIdentity node, FoundrySettings settings,
      FreeSpace freeSpace, BaseTreeCache baseTrees, PackagePool packages, ObjectMapper json) {
    this.management = management;
    this.node = node;
    this.settings = settings;
    this.freeSpace = freeSpace;
    this.baseTrees = baseTrees;
    this.packages = packages;
    this.json = json;
  }

  @Scheduled(fixedDelayString = "PT5S", initialDelayString = "PT0S")
  public void beat() {
    Heartbeat beat = new Heartbeat(node.name(), ClockUtil.getCurrentTime().toInstant(), settings.buildSlots(),
        freeSpace.inBuildRoot(), size(baseTrees.dir()), size(packages.dir()));
    try {
      management.setProperty(Heartbeat.PROPERTY_PREFIX + node.name(), json.writeValueAsString(beat));
    } catch (JsonProcessingException | RuntimeException e) {
      LOG.warn("could not record this node's heartbeat: {}", e.getMessage());
    }
  }

  /** Every node's last heartbeat, by name. */
  public List<Heartbeat> all() {
    return management.getProperties().entrySet().stream()
        .filter(property -> property.getKey().startsWith(Heartbeat.PROPERTY_PREFIX))
        .map(Map.Entry::getValue).map(this::read).flatMap(Optional::stream)
        .sorted(Comparator.comparing(Heartbeat::node)).toList();
  }

  public Optional<Heartbeat> of(String nodeName) {
    return all().stream().filter(beat -> beat.node().equals(nodeName)).findFirst();
  }

  private Optional<Heartbeat> read(String value) {
    try {
      return Optional.of(json.readValue(value, Heartbeat.class));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static long size(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.mapToLong(NodeHeartbeat::fileSize).sum();
    } catch (IOException | java.io.UncheckedIOException e) {
      return -1; // a file vanished under the walk (an eviction): the next beat counts again
    }
  }

  private static long fileSize(Path file) {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      return attributes.isRegularFile() ? attributes.size() : 0;
    } catch (IOException e) {
      return 0;
    }
  }
}

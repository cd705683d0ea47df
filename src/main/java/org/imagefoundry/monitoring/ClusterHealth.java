package org.imagefoundry.monitoring;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.imagefoundry.engine.BuildSlots;
import org.imagefoundry.engine.Heartbeat;
import org.imagefoundry.engine.NodeHeartbeat;
import org.imagefoundry.engine.NodeIdentity;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code cluster} in /actuator/health: this node (its name, slots in use) and every node of the
 * cluster, up or down by its last heartbeat. DOWN only when this node's own heartbeat is missing or
 * stale (it cannot write to the database); another node's death is a detail, since the cluster goes on.
 */
@Component("cluster")
public class ClusterHealth implements HealthIndicator {

  private final NodeHeartbeat heartbeats;
  private final NodeIdentity node;
  private final BuildSlots slots;

  public ClusterHealth(NodeHeartbeat heartbeats, NodeIdentity node, BuildSlots slots) {
    this.heartbeats = heartbeats;
    this.node = node;
    this.slots = slots;
  }

  @Override
  public Health health() {
    try {
      return cluster();
    } catch (RuntimeException e) {
      // the database cannot be asked (the `db` component says why): this node cannot beat either
      return Health.down().withDetail("node", node.name()).withDetail("error", String.valueOf(e.getMessage())).build();
    }
  }

  private Health cluster() {
    Instant now = ClockUtil.getCurrentTime().toInstant();
    Map<String, String> nodes = new LinkedHashMap<>();
    boolean selfAlive = false;
    for (Heartbeat beat : heartbeats.all()) {
      boolean alive = beat.aliveAt(now);
      nodes.put(beat.node(), (alive ? "UP" : "DOWN") + " (last heartbeat " + beat.at() + ")");
      selfAlive |= alive && beat.node().equals(node.name());
    }
    return (selfAlive ? Health.up() : Health.down())
        .withDetail("node", node.name())
        .withDetail("slotsInUse", slots.slots() - slots.free())
        .withDetail("slots", slots.slots())
        .withDetail("nodes", nodes).build();
  }
}

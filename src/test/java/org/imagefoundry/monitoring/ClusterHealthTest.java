package org.imagefoundry.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.imagefoundry.engine.BuildSlots;
import org.imagefoundry.engine.Heartbeat;
import org.imagefoundry.engine.NodeHeartbeat;
import org.imagefoundry.engine.NodeIdentity;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Status;

/** {@code cluster} in /actuator/health: this node's heartbeat decides; another node's death is a detail. */
class ClusterHealthTest {

  final NodeHeartbeat heartbeats = mock(NodeHeartbeat.class);
  final BuildSlots slots = mock(BuildSlots.class);
  final NodeIdentity node = mock(NodeIdentity.class);
  final ClusterHealth health = new ClusterHealth(heartbeats, node, slots);

  @Test
  void upWhileThisNodeBeatsWithEveryNodeUpOrDown() {
    when(node.name()).thenReturn("node-a");
    when(slots.slots()).thenReturn(2);
    when(slots.free()).thenReturn(1L);
    Instant now = Instant.now();
    when(heartbeats.all()).thenReturn(List.of(new Heartbeat("node-a", now, 2, 1, 0, 0),
        new Heartbeat("node-b", now.minus(Heartbeat.SILENCE).minusSeconds(1), 2, 1, 0, 0)));

    var report = health.health();

    assertThat(report.getStatus()).isEqualTo(Status.UP);
    assertThat(report.getDetails()).containsEntry("node", "node-a").containsEntry("slotsInUse", 1L);
    @SuppressWarnings("unchecked")
    Map<String, String> nodes = (Map<String, String>) report.getDetails().get("nodes");
    assertThat(nodes.get("node-a")).startsWith("UP");
    assertThat(nodes.get("node-b")).startsWith("DOWN");
  }

  @Test
  void downWithoutAnExceptionWhenTheDatabaseCannotBeAsked() {
    when(node.name()).thenReturn("node-a");
    when(heartbeats.all()).thenThrow(new IllegalStateException("connection refused"));

    var report = health.health();

    assertThat(report.getStatus()).isEqualTo(Status.DOWN);
    assertThat(report.getDetails()).containsEntry("error", "connection refused");
  }
}

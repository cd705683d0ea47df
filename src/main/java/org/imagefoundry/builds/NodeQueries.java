package org.imagefoundry.builds;

import java.time.Instant;
import java.util.List;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.imagefoundry.engine.BuildSlots;
import org.imagefoundry.engine.Heartbeat;
import org.imagefoundry.engine.NodeHeartbeat;
import org.imagefoundry.process.BuildProcess;
import org.imagefoundry.process.BuildVariables;
import org.springframework.stereotype.Service;

/** The cluster's nodes: their heartbeats, with the builds each carries out. */
@Service
public class NodeQueries {

  private final NodeHeartbeat heartbeats;
  private final RuntimeService runtime;
  private final BuildSlots slots;

  public NodeQueries(NodeHeartbeat heartbeats, RuntimeService runtime, BuildSlots slots) {
    this.heartbeats = heartbeats;
    this.runtime = runtime;
    this.slots = slots;
  }

  public List<NodeView> all() {
    Instant now = ClockUtil.getCurrentTime().toInstant();
    return heartbeats.all().stream().map(beat -> view(beat, now)).toList();
  }

  private NodeView view(Heartbeat beat, Instant now) {
    List<String> builds = runtime.createProcessInstanceQuery().processDefinitionKey(BuildProcess.KEY)
        .variableValueEquals(BuildVariables.NODE, beat.node()).list().stream()
        .map(ProcessInstance::getBusinessKey).sorted().toList();
    // a build in incident gives its slot back (it keeps its devices and mounts): it is among the builds, not the slots
    return new NodeView(beat.node(), beat.at(), beat.aliveAt(now), slots.inUse(beat.node()), beat.slots(), builds,
        beat.freeBytes(), beat.baseCacheBytes(), beat.packageCacheBytes());
  }
}

package org.imagefoundry.api;

import java.time.Instant;
import java.util.List;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.imagefoundry.engine.Heartbeat;
import org.imagefoundry.engine.NodeHeartbeat;
import org.imagefoundry.steps.BuildVariables;
import org.springframework.stereotype.Service;

/** The cluster's nodes: their heartbeats, with the builds each carries out. */
@Service
public class NodeQueries {

  private final NodeHeartbeat heartbeats;
  private final RuntimeService runtime;

  public NodeQueries(NodeHeartbeat heartbeats, RuntimeService runtime) {
    this.heartbeats = heartbeats;
    this.runtime = runtime;
  }

  public List<NodeView> all() {
    Instant now = ClockUtil.getCurrentTime().toInstant();
    return heartbeats.all().stream().map(beat -> view(beat, now)).toList();
  }

  private NodeView view(Heartbeat beat, Instant now) {
    List<String> builds = runtime.createProcessInstanceQuery().processDefinitionKey(BuildService.PROCESS_KEY)
        .variableValueEquals(BuildVariables.NODE, beat.node()).list().stream()
        .map(ProcessInstance::getBusinessKey).sorted().toList();
    return new NodeView(beat.node(), beat.at(), beat.aliveAt(now), builds.size(), beat.slots(), builds,
        beat.freeBytes(), beat.baseCacheBytes(), beat.packageCacheBytes());
  }
}

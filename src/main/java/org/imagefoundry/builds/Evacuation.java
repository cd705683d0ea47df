package org.imagefoundry.builds;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.ActivityInstance;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.runtime.TransitionInstance;
import org.imagefoundry.engine.AbandonedWorkspaces;
import org.imagefoundry.engine.NodeHeartbeat;
import org.imagefoundry.engine.QueuedBuilds;
import org.imagefoundry.process.BuildProcess;
import org.imagefoundry.process.BuildVariables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Gives up a node that is down: each of its builds goes back to <i>Wait for a build slot</i> (process
 * instance modification: its pending step's job, or its incident, is cancelled), loses its {@code node}
 * and records the node in {@code evacuatedFrom}; the next node with a free slot claims it and runs it
 * from its first step. What the build left on the old node is released by that node if it ever starts
 * again ({@link AbandonedWorkspaces}). A node that still beats is refused: its commands still run.
 */
@Component
public class Evacuation {

  private static final Logger LOG = LoggerFactory.getLogger(Evacuation.class);

  /** What an evacuation did: refused (the node is alive, or unknown), or the builds it sent back to the queue. */
  public record Result(Outcome outcome, List<String> builds) {}

  public enum Outcome { DONE, UNKNOWN_NODE, NODE_ALIVE }

  private final RuntimeService runtime;
  private final NodeHeartbeat heartbeats;
  private final QueuedBuilds queued;
  private final TransactionTemplate transactions;

  public Evacuation(RuntimeService runtime, NodeHeartbeat heartbeats, QueuedBuilds queued,
      PlatformTransactionManager transactionManager) {
    this.runtime = runtime;
    this.heartbeats = heartbeats;
    this.queued = queued;
    this.transactions = new TransactionTemplate(transactionManager);
  }

  public Result evacuate(String node) {
    var beat = heartbeats.of(node);
    List<ProcessInstance> builds = runtime.createProcessInstanceQuery().processDefinitionKey(BuildProcess.KEY)
        .variableValueEquals(BuildVariables.NODE, node).list();
    if (beat.isEmpty() && builds.isEmpty()) {
      return new Result(Outcome.UNKNOWN_NODE, List.of());
    }
    if (beat.isPresent() && beat.get().aliveAt(ClockUtil.getCurrentTime().toInstant())) {
      return new Result(Outcome.NODE_ALIVE, List.of());
    }
    List<String> moved = new ArrayList<>();
    for (ProcessInstance build : builds) {
      transactions.executeWithoutResult(status -> backToTheQueue(build, node));
      moved.add(build.getBusinessKey());
      LOG.warn("build {} evacuated from node {}: it starts again from its first step on another node",
          build.getBusinessKey(), node);
    }
    queued.wake();
    return new Result(Outcome.DONE, moved);
  }

  private void backToTheQueue(ProcessInstance build, String node) {
    ActivityInstance tree = runtime.getActivityInstance(build.getId());
    var modification = runtime.createProcessInstanceModification(build.getId())
        .startBeforeActivity(BuildProcess.WAIT_FOR_BUILD_SLOT);
    for (ActivityInstance child : tree.getChildActivityInstances()) {
      modification.cancelActivityInstance(child.getId());
    }
    for (TransitionInstance child : tree.getChildTransitionInstances()) {
      modification.cancelTransitionInstance(child.getId());
    }
    modification.execute(true, false);
    Set<String> from = new LinkedHashSet<>(BuildVariables.of(runtime, build.getId()).evacuatedFrom());
    from.add(node);
    runtime.setVariable(build.getId(), BuildVariables.EVACUATED_FROM, String.join(",", from));
    runtime.removeVariable(build.getId(), BuildVariables.NODE);
  }
}

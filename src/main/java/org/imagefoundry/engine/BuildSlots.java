package org.imagefoundry.engine;

import org.camunda.bpm.engine.RuntimeService;
import org.imagefoundry.process.BuildProcess;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * This node's build slots ({@code image-foundry.max-concurrent-builds}): a slot is taken from the moment
 * the node claims a build until the build ends. A build in incident gives its slot back (it keeps its
 * loop devices and mounts here) and takes one again when it is retried ({@link IncidentSlots}).
 */
@Component
public class BuildSlots {

  private final RuntimeService runtime;
  private final NodeIdentity node;
  private final int slots;

  public BuildSlots(@Lazy RuntimeService runtime, NodeIdentity node, FoundrySettings settings) {
    this.runtime = runtime;
    this.node = node;
    this.slots = settings.buildSlots();
  }

  /** Builds of {@code nodeName} that have not ended and are not in incident. */
  public long inUse(String nodeName) {
    long unfinished = runtime.createProcessInstanceQuery().processDefinitionKey(BuildProcess.KEY)
        .variableValueEquals(BuildVariables.NODE, nodeName).count();
    long inIncident = runtime.createProcessInstanceQuery().processDefinitionKey(BuildProcess.KEY)
        .variableValueEquals(BuildVariables.NODE, nodeName).withIncident().count();
    return unfinished - inIncident;
  }

  public long free() {
    return Math.max(0, slots - inUse(node.name()));
  }

  public int slots() {
    return slots;
  }
}

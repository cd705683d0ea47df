package org.imagefoundry.builds;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.model.bpmn.instance.FlowNode;
import org.camunda.bpm.model.bpmn.instance.Gateway;
import org.camunda.bpm.model.bpmn.instance.Process;
import org.camunda.bpm.model.bpmn.instance.SequenceFlow;
import org.camunda.bpm.model.bpmn.instance.ServiceTask;
import org.springframework.stereotype.Component;

/** The phases of a deployed build process: its main flow's service tasks, read from the diagram itself. */
@Component
public class Phases {

  private final RepositoryService repository;
  /** The gateway whose conditional flow leads through the disk's tasks (to the next gateway). */
  static final String DISK_GATEWAY = "diskRequestedGateway";
  /** The gateway whose conditional flow publishes stored images instead of building: not counted as phases. */
  static final String SAME_CONTENT_GATEWAY = "sameContentGateway";

  private final Map<String, Set<String>> byDefinition = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> withoutDiskByDefinition = new ConcurrentHashMap<>();

  public Phases(RepositoryService repository) {
    this.repository = repository;
  }

  /** All the phases a build with a disk takes (but the branch that publishes stored images of the same content). */
  public Set<String> of(String processDefinitionId) {
    return byDefinition.computeIfAbsent(processDefinitionId, id -> without(id, Set.of(SAME_CONTENT_GATEWAY)));
  }

  /** The phases of a build without a disk: neither the tasks on the disk gateway's conditional flow. */
  public Set<String> withoutDisk(String processDefinitionId) {
    return withoutDiskByDefinition.computeIfAbsent(processDefinitionId,
        id -> without(id, Set.of(SAME_CONTENT_GATEWAY, DISK_GATEWAY)));
  }

  /** The main flow's service tasks, but those on the conditional flows of {@code gateways} (up to the next gateway). */
  private Set<String> without(String processDefinitionId, Set<String> gateways) {
    var model = repository.getBpmnModelInstance(processDefinitionId);
    var flows = model.getModelElementsByType(SequenceFlow.class);
    Set<String> skipped = new HashSet<>();
    // the diagram names no <outgoing> elements: a node's next is the target of the flow whose source it is
    for (SequenceFlow flow : flows) {
      if (!gateways.contains(flow.getSource().getId()) || flow.getConditionExpression() == null) {
        continue;
      }
      for (FlowNode node = flow.getTarget(); !(node instanceof Gateway); node = next(flows, node)) {
        skipped.add(node.getId());
      }
    }
    return model.getModelElementsByType(ServiceTask.class).stream()
        .filter(task -> task.getParentElement() instanceof Process && !task.isForCompensation())
        .map(ServiceTask::getId).filter(task -> !skipped.contains(task)).collect(Collectors.toUnmodifiableSet());
  }

  private static FlowNode next(java.util.Collection<SequenceFlow> flows, FlowNode node) {
    return flows.stream().filter(f -> f.getSource().equals(node)).findFirst().orElseThrow().getTarget();
  }
}

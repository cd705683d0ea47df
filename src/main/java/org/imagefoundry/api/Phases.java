package org.imagefoundry.api;

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

  private final Map<String, Set<String>> byDefinition = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> withoutDiskByDefinition = new ConcurrentHashMap<>();

  public Phases(RepositoryService repository) {
    this.repository = repository;
  }

  public Set<String> of(String processDefinitionId) {
    return byDefinition.computeIfAbsent(processDefinitionId, id ->
        repository.getBpmnModelInstance(id).getModelElementsByType(ServiceTask.class).stream()
            .filter(task -> task.getParentElement() instanceof Process && !task.isForCompensation())
            .map(ServiceTask::getId).collect(Collectors.toUnmodifiableSet()));
  }

  /** The phases of a build without a disk: all but the tasks on the disk gateway's conditional flow. */
  public Set<String> withoutDisk(String processDefinitionId) {
    return withoutDiskByDefinition.computeIfAbsent(processDefinitionId, id -> {
      var flows = repository.getBpmnModelInstance(id).getModelElementsByType(SequenceFlow.class);
      Set<String> disk = new HashSet<>();
      // the diagram names no <outgoing> elements: a node's next is the target of the flow whose source it is
      for (SequenceFlow flow : flows) {
        if (!flow.getSource().getId().equals(DISK_GATEWAY) || flow.getConditionExpression() == null) {
          continue;
        }
        for (FlowNode node = flow.getTarget(); !(node instanceof Gateway); node = next(flows, node)) {
          disk.add(node.getId());
        }
      }
      return of(id).stream().filter(task -> !disk.contains(task)).collect(Collectors.toUnmodifiableSet());
    });
  }

  private static FlowNode next(java.util.Collection<SequenceFlow> flows, FlowNode node) {
    return flows.stream().filter(f -> f.getSource().equals(node)).findFirst().orElseThrow().getTarget();
  }
}

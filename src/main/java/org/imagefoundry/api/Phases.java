package org.imagefoundry.api;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.model.bpmn.instance.Process;
import org.camunda.bpm.model.bpmn.instance.ServiceTask;
import org.springframework.stereotype.Component;

/** The phases of a deployed build process: its main flow's service tasks, read from the diagram itself. */
@Component
public class Phases {

  private final RepositoryService repository;
  private final Map<String, Set<String>> byDefinition = new ConcurrentHashMap<>();

  public Phases(RepositoryService repository) {
    this.repository = repository;
  }

  public Set<String> of(String processDefinitionId) {
    return byDefinition.computeIfAbsent(processDefinitionId, id ->
        repository.getBpmnModelInstance(id).getModelElementsByType(ServiceTask.class).stream()
            .filter(task -> task.getParentElement() instanceof Process && !task.isForCompensation())
            .map(ServiceTask::getId).collect(Collectors.toUnmodifiableSet()));
  }
}

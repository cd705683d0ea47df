package org.imagefoundry.engine;

import java.util.Comparator;
import java.util.List;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.imagefoundry.FoundrySettings;
import org.imagefoundry.api.BuildService;
import org.springframework.stereotype.Component;

/**
 * {@code ${buildSlots.isFree(execution)}} in the diagram: a build may go on when it is among the
 * {@code image-foundry.max-concurrent-builds} oldest builds that have not ended. First come, first
 * served; a build in incident keeps its slot (it holds loop devices and mounts). The answer depends
 * only on older builds, so two builds deciding at the same moment cannot both take the last slot.
 */
@Component("buildSlots")
public class BuildSlots {

  private final HistoryService history;
  private final int slots;

  public BuildSlots(HistoryService history, FoundrySettings settings) {
    this.history = history;
    this.slots = settings.buildSlots();
  }

  public boolean isFree(DelegateExecution execution) {
    List<HistoricProcessInstance> running = history.createHistoricProcessInstanceQuery()
        .processDefinitionKey(BuildService.PROCESS_KEY).unfinished().list();
    List<String> queue = running.stream()
        .sorted(Comparator.comparing(HistoricProcessInstance::getStartTime).thenComparing(HistoricProcessInstance::getId))
        .map(HistoricProcessInstance::getId).toList();
    int place = queue.indexOf(execution.getProcessInstanceId());
    return place >= 0 && place < slots;
  }

  public int slots() {
    return slots;
  }
}

package org.imagefoundry.cockpit;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.history.HistoricJobLog;
import org.camunda.bpm.model.bpmn.instance.ServiceTask;
import org.imagefoundry.builds.BuildQueries;
import org.imagefoundry.builds.BuildState;
import org.imagefoundry.builds.BuildView;
import org.imagefoundry.process.BuildProcess;

/**
 * What the Phases picture draws: every task a build ran with its times, whether it was a compensation
 * handler or ended cut short (by the build's error or its cancel), and every failed attempt of a task
 * (its retries, and the failure an incident waits on) from the engine's job log. A failed attempt rolls
 * its task back, so only the job log remembers it.
 */
@org.springframework.stereotype.Component
public class PhaseTimelines {

  private final BuildQueries queries;
  private final HistoryService history;
  private final RepositoryService repository;
  private final Map<String, Set<String>> compensationByDefinition = new ConcurrentHashMap<>();

  public PhaseTimelines(BuildQueries queries, HistoryService history, RepositoryService repository) {
    this.queries = queries;
    this.history = history;
    this.repository = repository;
  }

  /** One task run: {@code kind} is {@code phase}, {@code compensation} or {@code sweep}. */
  public record Bar(String phase, String kind, Instant startedAt, Instant endedAt, Long durationMs, boolean cutShort) {}

  /** A failed attempt of a task, when it failed, and the first line of why. */
  public record FailedAttempt(String phase, Instant at, String message) {}

  public record Timeline(String id, BuildState state, String phase, Instant createdAt, Instant endedAt, String error,
      List<Bar> bars, List<FailedAttempt> failedAttempts) {}

  public Optional<Timeline> of(String id) {
    return queries.find(id).flatMap(view -> Optional.ofNullable(history.createHistoricProcessInstanceQuery()
            .processDefinitionKey(BuildProcess.KEY).processInstanceBusinessKey(id).singleResult())
        .map(instance -> timeline(view, instance.getId(), instance.getProcessDefinitionId())));
  }

  private Timeline timeline(BuildView view, String processInstanceId, String processDefinitionId) {
    Set<String> compensation = compensationByDefinition.computeIfAbsent(processDefinitionId, this::compensationHandlers);
    List<Bar> bars = history.createHistoricActivityInstanceQuery().processInstanceId(processInstanceId)
        .activityType("serviceTask").orderByHistoricActivityInstanceStartTime().asc().orderPartiallyByOccurrence().asc()
        .list().stream()
        .map(a -> new Bar(a.getActivityId(), kind(a, compensation), a.getStartTime().toInstant(),
            a.getEndTime() == null ? null : a.getEndTime().toInstant(), a.getDurationInMillis(), a.isCanceled()))
        .toList();
    List<FailedAttempt> failures = history.createHistoricJobLogQuery().processInstanceId(processInstanceId).failureLog()
        .list().stream()
        .sorted(Comparator.comparing(HistoricJobLog::getTimestamp))
        .map(log -> new FailedAttempt(log.getActivityId(), log.getTimestamp().toInstant(),
            CockpitBuilds.firstLine(log.getJobExceptionMessage())))
        .toList();
    return new Timeline(view.id(), view.state(), view.phase(), view.createdAt(), view.endedAt(),
        CockpitBuilds.firstLine(view.error()), bars, failures);
  }

  private static String kind(HistoricActivityInstance activity, Set<String> compensation) {
    if (compensation.contains(activity.getActivityId())) {
      return "compensation";
    }
    return activity.getActivityId().startsWith("sweep") ? "sweep" : "phase";
  }

  private Set<String> compensationHandlers(String processDefinitionId) {
    return repository.getBpmnModelInstance(processDefinitionId).getModelElementsByType(ServiceTask.class).stream()
        .filter(ServiceTask::isForCompensation).map(ServiceTask::getId).collect(Collectors.toUnmodifiableSet());
  }
}

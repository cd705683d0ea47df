package org.imagefoundry.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.imagefoundry.FoundrySettings;
import org.imagefoundry.spec.BuildRequests;
import org.imagefoundry.spec.BuildSpec;
import org.imagefoundry.steps.Build;
import org.imagefoundry.steps.BuildVariables;
import org.springframework.stereotype.Service;

/** Starts builds and reads their state from the engine's runtime and history. */
@Service
public class BuildService {

  public static final String PROCESS_KEY = "buildImage";

  private final RuntimeService runtime;
  private final HistoryService history;
  private final ManagementService management;
  private final BuildRequests requests;
  private final FoundrySettings settings;
  private final ObjectMapper json;
  private final Phases phases;

  public BuildService(RuntimeService runtime, HistoryService history, ManagementService management,
      BuildRequests requests, FoundrySettings settings, ObjectMapper json, Phases phases) {
    this.runtime = runtime;
    this.history = history;
    this.management = management;
    this.requests = requests;
    this.settings = settings;
    this.json = json;
    this.phases = phases;
  }

  /** A request ready to start: a new build id and the process variables of the build. */
  public record PreparedBuild(String id, BuildSpec spec) {

    public Map<String, Object> variables() {
      return Map.of(
          BuildVariables.BUILD_ID, id,
          BuildVariables.REQUEST, Build.json(BuildRequests.toJson(spec)),
          BuildVariables.REQUEST_HASH, BuildRequests.hash(spec),
          BuildVariables.MIRROR, spec.baseRepo().uri());
    }
  }

  /** Validates and normalizes the request (throwing with every problem) and names its build. */
  public PreparedBuild prepare(String requestJson) {
    return new PreparedBuild(UUID.randomUUID().toString(), requests.prepare(requestJson));
  }

  /** Validates the request (throwing with every problem) and starts its build. */
  public String start(String requestJson) {
    PreparedBuild build = prepare(requestJson);
    runtime.createProcessInstanceByKey(PROCESS_KEY).businessKey(build.id()).setVariables(build.variables()).execute();
    return build.id();
  }

  public Optional<BuildView> find(String id) {
    return Optional.ofNullable(instance(id)).map(this::view);
  }

  /** Newest first, optionally only those in {@code state}. */
  public List<BuildView> list(BuildState state, int limit) {
    return history.createHistoricProcessInstanceQuery().processDefinitionKey(PROCESS_KEY)
        .orderByProcessInstanceStartTime().desc().listPage(0, Math.max(limit, 1) * (state == null ? 1 : 10)).stream()
        .map(this::view)
        .filter(view -> state == null || view.state() == state)
        .limit(limit)
        .toList();
  }

  public Optional<Path> logFile(String id) {
    if (instance(id) == null) {
      return Optional.empty();
    }
    return Optional.of(settings.dataDir().resolve("logs").resolve(id + ".log"));
  }

  public boolean hasEnded(String id) {
    HistoricProcessInstance instance = instance(id);
    return instance == null || instance.getEndTime() != null;
  }

  /** What {@link #cancel} and {@link #retry} can answer. */
  public enum Outcome { DONE, NOT_FOUND, NOTHING_TO_DO }

  /**
   * Cancels a build that still runs (running, waiting or in incident): the cancel message interrupts
   * it, compensation undoes its completed steps, the sweep releases the rest, and it ends CANCELLED.
   */
  public Outcome cancel(String id, String reason) {
    HistoricProcessInstance instance = instance(id);
    if (instance == null) {
      return Outcome.NOT_FOUND;
    }
    if (instance.getEndTime() != null) {
      return Outcome.NOTHING_TO_DO;
    }
    for (int attempt = 1; ; attempt++) {
      try {
        runtime.createMessageCorrelation(BuildVariables.CANCEL_MESSAGE).processInstanceId(instance.getId())
            .setVariable(BuildVariables.ERROR, reason).correlateWithResult();
        return Outcome.DONE;
      } catch (org.camunda.bpm.engine.OptimisticLockingException e) {
        // a step finished at the same moment: try again on the new state
        if (attempt == 5) {
          throw e;
        }
      } catch (org.camunda.bpm.engine.MismatchingMessageCorrelationException e) {
        return Outcome.NOTHING_TO_DO; // already cancelling, or ending
      }
    }
  }

  /** Gives the build's failed jobs another attempt: the build goes on from the step that failed. */
  public Outcome retry(String id) {
    HistoricProcessInstance instance = instance(id);
    if (instance == null) {
      return Outcome.NOT_FOUND;
    }
    List<String> failed = management.createJobQuery().processInstanceId(instance.getId()).noRetriesLeft().list()
        .stream().map(org.camunda.bpm.engine.runtime.Job::getId).toList();
    if (failed.isEmpty()) {
      return Outcome.NOTHING_TO_DO;
    }
    management.setJobRetries(failed, 1);
    return Outcome.DONE;
  }

  HistoricProcessInstance instance(String id) {
    return history.createHistoricProcessInstanceQuery().processDefinitionKey(PROCESS_KEY).processInstanceBusinessKey(id)
        .singleResult();
  }

  private BuildView view(HistoricProcessInstance instance) {
    Map<String, Object> variables = history.createHistoricVariableInstanceQuery()
        .processInstanceId(instance.getId())
        .variableNameIn(BuildVariables.PHASE, BuildVariables.ERROR, BuildVariables.IMAGES, BuildVariables.METADATA_PATH)
        .disableCustomObjectDeserialization()
        .list().stream()
        .filter(v -> v.getValue() != null)
        .collect(Collectors.toMap(HistoricVariableInstance::getName, HistoricVariableInstance::getValue, (a, b) -> b));
    return new BuildView(
        instance.getBusinessKey(),
        state(instance),
        instance.getEndTime() == null ? currentPhase(instance, (String) variables.get(BuildVariables.PHASE))
            : (String) variables.get(BuildVariables.PHASE),
        instance.getStartTime().toInstant(),
        Optional.ofNullable(instance.getEndTime()).map(java.util.Date::toInstant).orElse(null),
        (String) variables.get(BuildVariables.ERROR),
        readJson(variables.get(BuildVariables.IMAGES)),
        (String) variables.get(BuildVariables.METADATA_PATH),
        progress(instance),
        phases(instance));
  }

  /** The service tasks the build ran, in order, with their times. */
  private List<BuildView.PhaseView> phases(HistoricProcessInstance instance) {
    return history.createHistoricActivityInstanceQuery().processInstanceId(instance.getId()).activityType("serviceTask")
        .orderByHistoricActivityInstanceStartTime().asc().orderPartiallyByOccurrence().asc().list().stream()
        .map(a -> new BuildView.PhaseView(a.getActivityId(), a.getStartTime().toInstant(),
            a.getEndTime() == null ? null : a.getEndTime().toInstant(), a.getDurationInMillis()))
        .toList();
  }

  /** Completed phases of the main flow over all of them; 1 once the build has succeeded or was skipped. */
  private double progress(HistoricProcessInstance instance) {
    Set<String> all = phases.of(instance.getProcessDefinitionId());
    long done = history.createHistoricActivityInstanceQuery().processInstanceId(instance.getId()).finished()
        .activityType("serviceTask").list().stream().map(a -> a.getActivityId()).filter(all::contains).distinct().count();
    BuildState state = state(instance);
    return state == BuildState.SUCCEEDED || state == BuildState.SKIPPED ? 1.0 : (double) done / all.size();
  }

  /**
   * The task whose job is next or running. The {@code phase} variable a step sets is only committed
   * with the step, so while a step runs the job tells where the build is.
   */
  private String currentPhase(HistoricProcessInstance instance, String fallback) {
    return management.createJobQuery().processInstanceId(instance.getId()).list().stream()
        .map(job -> management.createJobDefinitionQuery().jobDefinitionId(job.getJobDefinitionId()).singleResult())
        .filter(java.util.Objects::nonNull)
        .map(org.camunda.bpm.engine.management.JobDefinition::getActivityId)
        .findFirst().orElse(fallback);
  }

  private BuildState state(HistoricProcessInstance instance) {
    if (instance.getEndTime() != null) {
      return BuildState.ended(history.createHistoricActivityInstanceQuery().processInstanceId(instance.getId())
          .activityType("noneEndEvent").list().stream().map(a -> a.getActivityId()).findFirst().orElse(null));
    }
    if (runtime.createIncidentQuery().processInstanceId(instance.getId()).count() > 0) {
      return BuildState.INCIDENT;
    }
    return "waitForBuildSlot".equals(currentPhase(instance, null)) ? BuildState.QUEUED : BuildState.RUNNING;
  }

  private JsonNode readJson(Object value) {
    if (value == null) {
      return null;
    }
    try {
      return json.readTree(value.toString());
    } catch (IOException e) {
      return null;
    }
  }

}

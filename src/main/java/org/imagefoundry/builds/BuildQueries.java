package org.imagefoundry.builds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.history.UserOperationLogEntry;
import org.imagefoundry.admission.OutputClaims;
import org.imagefoundry.host.BuildIds;
import org.imagefoundry.process.BuildProcess;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.spec.Architecture;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Service;

/** Where builds stand, read from the engine's runtime and history. */
@Service
public class BuildQueries {

  private static final String PROCESS_KEY = BuildProcess.KEY;
  private static final int SCAN_PAGE = 200;
  static final int MAX_SCANNED = 10_000;

  private final RuntimeService runtime;
  private final HistoryService history;
  private final ManagementService management;
  private final FoundrySettings settings;
  private final ObjectMapper json;
  private final Phases phases;
  private final OutputClaims claims;

  public BuildQueries(RuntimeService runtime, HistoryService history, ManagementService management,
      FoundrySettings settings, ObjectMapper json, Phases phases, OutputClaims claims) {
    this.claims = claims;
    this.runtime = runtime;
    this.history = history;
    this.management = management;
    this.settings = settings;
    this.json = json;
    this.phases = phases;
  }

  public Optional<BuildView> find(String id) {
    return Optional.ofNullable(instance(id)).map(this::view);
  }

  /**
   * Newest first, optionally only those in {@code state}. An ended build's state is read off the
   * instance itself (the end event it reached), a running one's from its jobs and incidents: so a filter
   * by an ended state pages through history without a query per build, and one by a running state looks
   * only at unfinished builds. With a state, the newest {@value #MAX_SCANNED} builds at most are looked at.
   */
  public List<BuildView> list(BuildState state, Page page) {
    var query = history.createHistoricProcessInstanceQuery().processDefinitionKey(PROCESS_KEY)
        .orderByProcessInstanceStartTime().desc();
    if (state == null) {
      return query.listPage(page.offset(), page.limit()).stream().map(this::view).toList();
    }
    if (state.hasEnded()) {
      query.finished();
    } else {
      query.unfinished();
    }
    List<BuildView> found = new java.util.ArrayList<>();
    int skipped = 0;
    for (int first = 0; first < MAX_SCANNED && found.size() < page.limit(); first += SCAN_PAGE) {
      List<HistoricProcessInstance> batch = query.listPage(first, SCAN_PAGE);
      for (HistoricProcessInstance instance : batch) {
        if (found.size() < page.limit() && state(instance) == state && skipped++ >= page.offset()) {
          found.add(view(instance));
        }
      }
      if (batch.size() < SCAN_PAGE) {
        break;
      }
    }
    return found;
  }

  /** Which of the builds {@code ids} have not ended: one query, however many they are. */
  public Set<String> running(Set<String> ids) {
    return history.createHistoricProcessInstanceQuery().processDefinitionKey(PROCESS_KEY)
        .processInstanceBusinessKeyIn(ids.toArray(String[]::new)).unfinished().list().stream()
        .map(HistoricProcessInstance::getBusinessKey).collect(Collectors.toSet());
  }

  public Optional<Path> logFile(String id) {
    // the id names a file: only ids the service makes
    if (!BuildIds.isBuildId(id) || instance(id) == null) {
      return Optional.empty();
    }
    return Optional.of(settings.dataDir().resolve("logs").resolve(id + ".log"));
  }

  /** Whether a build, running or ended, has this id. */
  public boolean exists(String id) {
    return history.createHistoricProcessInstanceQuery().processInstanceBusinessKey(id).count() > 0;
  }

  public boolean hasEnded(String id) {
    HistoricProcessInstance instance = instance(id);
    return instance == null || instance.getEndTime() != null;
  }

  HistoricProcessInstance instance(String id) {
    return history.createHistoricProcessInstanceQuery().processDefinitionKey(PROCESS_KEY).processInstanceBusinessKey(id)
        .singleResult();
  }

  private BuildView view(HistoricProcessInstance instance) {
    Map<String, Object> variables = history.createHistoricVariableInstanceQuery()
        .processInstanceId(instance.getId())
        .variableNameIn(BuildVariables.PHASE, BuildVariables.ERROR, BuildVariables.IMAGES, BuildVariables.METADATA_PATH,
            BuildVariables.NODE, BuildVariables.DISK_REQUESTED, BuildVariables.ARCHITECTURE, BuildVariables.DISK)
        .disableCustomObjectDeserialization()
        .list().stream()
        .filter(v -> v.getValue() != null)
        .collect(Collectors.toMap(HistoricVariableInstance::getName, HistoricVariableInstance::getValue, (a, b) -> b));
    BuildVariables read = BuildVariables.of(variables);
    BuildState state = state(instance);
    String supersededBy = claims.supersededBy(instance.getBusinessKey()).orElse(null);
    return new BuildView(
        instance.getBusinessKey(),
        state,
        instance.getEndTime() == null ? currentPhase(instance, read.phase().orElse(null)) : read.phase().orElse(null),
        read.node().orElse(null),
        read.architecture().orElse(Architecture.DEFAULT),
        instance.getStartTime().toInstant(),
        Optional.ofNullable(instance.getEndTime()).map(java.util.Date::toInstant).orElse(null),
        read.error()
            .or(() -> Optional.ofNullable(state == BuildState.INCIDENT ? incident(instance) : null))
            .orElseGet(() -> deletion(instance)),
        // the files of a superseded build are another's now: their checksums are not this build's
        supersededBy == null ? readJson(variables.get(BuildVariables.IMAGES)) : null,
        supersededBy == null ? readJson(variables.get(BuildVariables.DISK)) : null,
        read.metadataPath().orElse(null),
        progress(instance, read.diskRequested()),
        phases(instance),
        supersededBy);
  }

  /** The service tasks the build ran, in order, with their times. */
  private List<BuildView.PhaseView> phases(HistoricProcessInstance instance) {
    return history.createHistoricActivityInstanceQuery().processInstanceId(instance.getId()).activityType("serviceTask")
        .orderByHistoricActivityInstanceStartTime().asc().orderPartiallyByOccurrence().asc().list().stream()
        .map(a -> new BuildView.PhaseView(a.getActivityId(), a.getStartTime().toInstant(),
            a.getEndTime() == null ? null : a.getEndTime().toInstant(), a.getDurationInMillis()))
        .toList();
  }

  /**
   * Completed phases of the main flow over all it takes (the disk's only when it asked for one); 1 once
   * the build has succeeded or was skipped.
   */
  private double progress(HistoricProcessInstance instance, boolean disk) {
    Set<String> all = disk ? phases.of(instance.getProcessDefinitionId())
        : phases.withoutDisk(instance.getProcessDefinitionId());
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
    if (waitsForASlot(instance)) {
      return BuildProcess.WAIT_FOR_BUILD_SLOT;
    }
    return management.createJobQuery().processInstanceId(instance.getId()).list().stream()
        .map(job -> management.createJobDefinitionQuery().jobDefinitionId(job.getJobDefinitionId()).singleResult())
        .filter(java.util.Objects::nonNull)
        .map(org.camunda.bpm.engine.management.JobDefinition::getActivityId)
        .findFirst().orElse(fallback);
  }

  /** Why a build in incident stopped: the incident's message, which names the failed task (else it is put first). */
  public String incident(HistoricProcessInstance instance) {
    return runtime.createIncidentQuery().processInstanceId(instance.getId()).list().stream()
        .map(incident -> String.valueOf(incident.getIncidentMessage()).startsWith(incident.getActivityId() + ":")
            ? incident.getIncidentMessage() : incident.getActivityId() + ": " + incident.getIncidentMessage())
        .findFirst().orElse(null);
  }

  /**
   * For a build whose process was deleted past its cancel (by a program on the engine's Java API; Cockpit's
   * and the REST API's deletes become its cancel, see EngineRestDeletes): who deleted it and why, and
   * that no compensation ran. Null for every other build.
   */
  private String deletion(HistoricProcessInstance instance) {
    // the diagram has no terminate end event: a terminated build is a deleted one
    if (!Set.of(HistoricProcessInstance.STATE_EXTERNALLY_TERMINATED, HistoricProcessInstance.STATE_INTERNALLY_TERMINATED)
        .contains(instance.getState())) {
      return null;
    }
    String by = history.createUserOperationLogQuery().processInstanceId(instance.getId())
        .operationType(UserOperationLogEntry.OPERATION_TYPE_DELETE).list().stream()
        .map(UserOperationLogEntry::getUserId).filter(java.util.Objects::nonNull).findFirst().orElse("someone");
    String reason = instance.getDeleteReason() == null ? "" : " (" + instance.getDeleteReason() + ")";
    return "deleted by " + by + reason + " past its cancel (not through Cockpit or a REST API, which cancel it): "
        + "no compensation ran; the abandoned-workspace check releases what the build held";
  }

  private BuildState state(HistoricProcessInstance instance) {
    if (instance.getEndTime() != null) {
      // the instance records the end event it reached for most ends (no query); else the history has it
      String end = instance.getEndActivityId();
      return BuildState.ended(end != null && BuildProcess.END_EVENTS.contains(end) ? end
          : history.createHistoricActivityInstanceQuery().processInstanceId(instance.getId()).activityType("noneEndEvent")
              .list().stream().map(a -> a.getActivityId()).findFirst().orElse(null));
    }
    if (runtime.createIncidentQuery().processInstanceId(instance.getId()).count() > 0) {
      return BuildState.INCIDENT;
    }
    return waitsForASlot(instance) ? BuildState.QUEUED : BuildState.RUNNING;
  }

  private boolean waitsForASlot(HistoricProcessInstance instance) {
    return runtime.createExecutionQuery().processInstanceId(instance.getId()).activityId(BuildProcess.WAIT_FOR_BUILD_SLOT).count() > 0;
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

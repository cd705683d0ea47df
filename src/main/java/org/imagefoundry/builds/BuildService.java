package org.imagefoundry.builds;

import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.MismatchingMessageCorrelationException;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.runtime.Job;
import org.imagefoundry.admission.BuildAdmission;
import org.imagefoundry.engine.IncidentSlots;
import org.imagefoundry.engine.NodeDeployment;
import org.imagefoundry.engine.SlotClaims;
import org.imagefoundry.host.BuildIds;
import org.imagefoundry.process.BuildProcess;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.spec.BuildRequests;
import org.imagefoundry.spec.BuildSpec;
import org.imagefoundry.steps.Build;
import org.imagefoundry.users.Caller;
import org.springframework.stereotype.Service;

/** What can be done to builds: start one, cancel one, retry its failed step. */
@Service
public class BuildService {


  private final RuntimeService runtime;
  private final HistoryService history;
  private final ManagementService management;
  private final BuildRequests requests;
  private final NodeDeployment deployment;
  private final SlotClaims claims;
  private final BuildAdmission admission;

  public BuildService(RuntimeService runtime, HistoryService history, ManagementService management,
      BuildRequests requests, NodeDeployment deployment, SlotClaims claims, BuildAdmission admission) {
    this.admission = admission;
    this.runtime = runtime;
    this.history = history;
    this.management = management;
    this.requests = requests;
    this.deployment = deployment;
    this.claims = claims;
  }

  /** A request ready to start: a new build id, who asks, and the process variables of the build. */
  public record PreparedBuild(String id, BuildSpec spec, Caller caller) {

    public Map<String, Object> variables() {
      return Map.of(
          BuildVariables.BUILD_ID, id,
          BuildVariables.REQUEST, Build.json(BuildRequests.toJson(spec)),
          BuildVariables.REQUEST_HASH, BuildRequests.hash(spec),
          BuildVariables.MIRROR, spec.baseRepo().uri(),
          BuildVariables.REQUESTED_BY, caller.user(),
          BuildVariables.REQUESTED_BY_ADMIN, caller.admin());
    }
  }

  /**
   * Validates the request with {@code caller}'s rights and normalizes it (throwing with every problem),
   * and names its build; throws {@link org.imagefoundry.admission.AdmissionRefused} when it would not be
   * accepted now (the build's start decides, see admission.BuildAdmission).
   */
  public PreparedBuild prepare(String requestJson, Caller caller) {
    return prepare(requestJson, caller, BuildIds.newId());
  }

  /** Like {@link #prepare(String, Caller)} with an id the caller checked with {@link BuildIds#isBuildId}. */
  public PreparedBuild prepare(String requestJson, Caller caller, String id) {
    if (!BuildIds.isBuildId(id)) {
      throw new IllegalArgumentException("not a build id: " + id);
    }
    PreparedBuild build = new PreparedBuild(id, requests.prepare(requestJson, caller), caller);
    admission.precheck(id, build.spec(), caller);
    return build;
  }

  /**
   * Validates the request (throwing with every problem) and starts its build, which waits for a slot:
   * this node claims the oldest waiting build at once if it has a slot free (before answering, so the
   * build is claimed or queued when the caller sees it), any node with a free slot otherwise.
   */
  public String start(String requestJson, Caller caller) {
    PreparedBuild build = prepare(requestJson, caller);
    runtime.createProcessInstanceById(deployment.definitionId()).businessKey(build.id())
        .setVariables(build.variables()).execute();
    claims.claimQuietly();
    return build.id();
  }

  /** What {@link #cancel} and {@link #retry} can answer. */
  public enum Outcome { DONE, NOT_FOUND, NOTHING_TO_DO, NO_FREE_SLOT }

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
        moveOntoThisNodeIfWaiting(instance);
        runtime.createMessageCorrelation(BuildVariables.CANCEL_MESSAGE).processInstanceId(instance.getId())
            .setVariable(BuildVariables.ERROR, reason).correlateWithResult();
        return Outcome.DONE;
      } catch (OptimisticLockingException e) {
        // a step finished at the same moment: try again on the new state
        if (attempt == 5) {
          throw e;
        }
      } catch (MismatchingMessageCorrelationException e) {
        return Outcome.NOTHING_TO_DO; // already cancelling, or ending
      }
    }
  }

  /**
   * A build that waits for a slot may sit on the deployment of a node that is down: its cancel runs
   * here, so the compensation's jobs are this node's.
   */
  private void moveOntoThisNodeIfWaiting(HistoricProcessInstance instance) {
    if (BuildVariables.of(runtime, instance.getId()).node().isEmpty()) {
      var current = runtime.createProcessInstanceQuery().processInstanceId(instance.getId()).singleResult();
      if (current != null) {
        claims.moveOntoThisNode(instance.getId(), current.getProcessDefinitionId());
      }
    }
  }

  /**
   * Gives the build's failed jobs another attempt: the build goes on from the step that failed, in a slot
   * of its node (engine.IncidentSlots), or stays in incident when that node has none free.
   */
  public Outcome retry(String id) {
    HistoricProcessInstance instance = instance(id);
    if (instance == null) {
      return Outcome.NOT_FOUND;
    }
    List<String> failed = management.createJobQuery().processInstanceId(instance.getId()).noRetriesLeft().list()
        .stream().map(Job::getId).toList();
    if (failed.isEmpty()) {
      return Outcome.NOTHING_TO_DO;
    }
    try {
      management.setJobRetries(failed, 1);
    } catch (IncidentSlots.NoFreeSlot e) {
      return Outcome.NO_FREE_SLOT;
    }
    return Outcome.DONE;
  }

  private HistoricProcessInstance instance(String id) {
    return history.createHistoricProcessInstanceQuery().processDefinitionKey(BuildProcess.KEY).processInstanceBusinessKey(id)
        .singleResult();
  }
}

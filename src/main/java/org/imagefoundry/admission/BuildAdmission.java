package org.imagefoundry.admission;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.spec.BuildRequests;
import org.imagefoundry.spec.BuildSpec;
import org.imagefoundry.users.Caller;
import org.springframework.stereotype.Component;

/**
 * The diagram's {@code ${buildAdmission}}, on the process's start (after requestCheck) and end. Every
 * start passes here, in the transaction that starts the build (our API, the engine REST API, Tasklist,
 * Java): the user's cap on builds queued or running (429), the node's free-space floor (507), and the
 * claim of the output files (409, 403); a refusal rolls the whole start back. At the end, a build that
 * did not succeed gives its output files back.
 */
@Component("buildAdmission")
public class BuildAdmission implements ExecutionListener {

  /** The end event of a build that published its files. */
  static final String SUCCEEDED = "succeeded";

  private final UserQuota quota;
  private final FreeSpaceFloor floor;
  private final OutputClaims claims;

  public BuildAdmission(UserQuota quota, FreeSpaceFloor floor, OutputClaims claims) {
    this.quota = quota;
    this.floor = floor;
    this.claims = claims;
  }

  @Override
  public void notify(DelegateExecution execution) {
    BuildVariables variables = BuildVariables.of(execution);
    String buildId = variables.buildId();
    if (EVENTNAME_END.equals(execution.getEventName())) {
      claims.ended(buildId, SUCCEEDED.equals(execution.getCurrentActivityId()));
      return;
    }
    Caller caller = caller(execution, variables);
    // the variables name the caller of our API; an engine user who starts through the engine is that user
    execution.setVariable(BuildVariables.REQUESTED_BY, caller.user());
    execution.setVariable(BuildVariables.REQUESTED_BY_ADMIN, caller.admin());
    quota.hold(caller.user());
    floor.check(caller.admin());
    claims.claim(buildId, caller,
        OutputClaims.files(BuildRequests.fromJson(variables.request())));
  }

  /**
   * What the start listener would answer for build {@code buildId} of {@code spec} by {@code caller}, before
   * the start: the common refusal never enters the engine. The listener still decides, atomically.
   */
  public void precheck(String buildId, BuildSpec spec, Caller caller) {
    quota.check(caller.user());
    floor.check(caller.admin());
    claims.check(buildId, caller, OutputClaims.files(spec));
  }

  private static Caller caller(DelegateExecution execution, BuildVariables variables) {
    Authentication user = execution.getProcessEngineServices().getIdentityService().getCurrentAuthentication();
    if (user != null && user.getUserId() != null) {
      return Caller.of(user.getUserId(), user.getGroupIds());
    }
    return variables.requestedBy().map(name -> new Caller(name, variables.requestedByAdmin())).orElse(Caller.ENGINE);
  }
}

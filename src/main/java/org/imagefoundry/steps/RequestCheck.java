package org.imagefoundry.steps;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.rules.Problem;
import org.imagefoundry.spec.BuildRequests;
import org.imagefoundry.spec.BuildSpec;
import org.imagefoundry.spec.InvalidRequestException;
import org.imagefoundry.spec.SpecValidator;
import org.imagefoundry.users.Caller;
import org.springframework.stereotype.Component;

/**
 * The diagram's start listener {@code ${requestCheck}}: however a build is started (our API, the engine
 * REST API, Tasklist, Java), it must carry a request that {@link BuildRequests} prepared: valid,
 * normalized, without a plain password, with its hash and build id. Anything else never starts. A start
 * by an authenticated engine user (the engine REST API) is checked with that user's rights.
 */
@Component("requestCheck")
public class RequestCheck implements ExecutionListener {

  private final SpecValidator validator;

  public RequestCheck(SpecValidator validator) {
    this.validator = validator;
  }

  @Override
  public void notify(DelegateExecution execution) {
    BuildVariables variables = BuildVariables.of(execution);
    String request;
    String hash;
    String buildId;
    String mirror;
    try {
      request = variables.request();
      hash = variables.requestHash();
      buildId = variables.buildId();
      mirror = variables.mirror();
    } catch (BuildVariables.InvalidVariableException e) {
      throw new InvalidRequestException(List.of(new Problem("request", e.getMessage()
          + ": a build starts through POST /api/builds (or the engine REST API with a \"request\" variable)")));
    }
    BuildSpec spec = BuildRequests.fromJson(request);
    List<Problem> problems = new ArrayList<>(validator.validate(BuildRequests.tree(spec), caller(execution)));
    problems.addAll(validator.validateMirror(mirror, spec));
    if (!problems.isEmpty()) {
      throw new InvalidRequestException(problems);
    }
    if (spec.rootPassword() != null || !hash.equals(BuildRequests.hash(spec))
        || !buildId.equals(execution.getProcessBusinessKey())) {
      throw new InvalidRequestException(List.of(new Problem("request", "not a prepared build request")));
    }
    execution.setVariable(BuildVariables.DISK_REQUESTED, spec.disk() != null);
    execution.setVariable(BuildVariables.ARCHITECTURE, spec.arch().name());
  }

  /** The engine user who starts the build, if one is authenticated; else our API, which checked its caller. */
  private static Caller caller(DelegateExecution execution) {
    Authentication user = execution.getProcessEngineServices().getIdentityService().getCurrentAuthentication();
    return user == null || user.getUserId() == null ? Caller.ENGINE : Caller.of(user.getUserId(), user.getGroupIds());
  }
}

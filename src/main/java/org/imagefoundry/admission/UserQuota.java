package org.imagefoundry.admission;

import org.camunda.bpm.engine.RuntimeService;
import org.imagefoundry.api.BuildService;
import org.imagefoundry.steps.BuildVariables;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * {@code image-foundry.quotas.max-builds-per-user}: the builds one user has queued or running (of the
 * whole cluster; a build in incident holds no slot and does not count). Counted as a build starts, so
 * starts of one user that race each other may pass the cap by the few that overlap.
 */
@Component
public class UserQuota {

  private final RuntimeService runtime;
  private final QuotaSettings settings;

  public UserQuota(@Lazy RuntimeService runtime, QuotaSettings settings) {
    this.runtime = runtime;
    this.settings = settings;
  }

  /**
   * Builds of {@code user} that are queued or running; within a start, the build being started is not
   * among them (it is written to the database only when its start commits).
   */
  public long active(String user) {
    long unfinished = runtime.createProcessInstanceQuery().processDefinitionKey(BuildService.PROCESS_KEY)
        .variableValueEquals(BuildVariables.REQUESTED_BY, user).count();
    long inIncident = runtime.createProcessInstanceQuery().processDefinitionKey(BuildService.PROCESS_KEY)
        .variableValueEquals(BuildVariables.REQUESTED_BY, user).withIncident().count();
    return unfinished - inIncident;
  }

  public void check(String user) {
    long active = active(user);
    if (active >= settings.maxBuildsPerUser()) {
      throw new AdmissionRefused(429, "Too many builds",
          user + " has " + active + " builds queued or running, the most one user may have "
              + "(image-foundry.quotas.max-builds-per-user); try again when one has ended", settings.retryAfter());
    }
  }
}

package org.imagefoundry.monitoring;

import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutor;
import org.imagefoundry.engine.JobLocks;
import org.imagefoundry.engine.RunningJobs;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * {@code jobExecutor} in /actuator/health, in place of Camunda's (which only says whether it is active):
 * DOWN while the database cannot be asked for this node's job locks, or while the node holds locks on
 * jobs that none of its threads runs and could not release them. Like Camunda's, only where jobs are
 * executed at all.
 */
@Component("jobExecutorHealthIndicator")
@ConditionalOnProperty(prefix = "camunda.bpm.job-execution", name = "enabled", havingValue = "true", matchIfMissing = true)
public class JobExecutorHealth implements HealthIndicator {

  private final ProcessEngine engine;
  private final JobLocks locks;
  private final RunningJobs running;

  public JobExecutorHealth(@Lazy ProcessEngine engine, JobLocks locks, RunningJobs running) {
    this.engine = engine;
    this.locks = locks;
    this.running = running;
  }

  @Override
  public Health health() {
    JobExecutor jobExecutor = ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration()).getJobExecutor();
    JobLocks.Check check = locks.lastCheck();
    var health = jobExecutor.isActive() && !check.stuck() ? Health.up() : Health.down();
    health.withDetail("active", jobExecutor.isActive())
        .withDetail("lockOwner", String.valueOf(jobExecutor.getLockOwner()))
        .withDetail("jobsRunning", running.count())
        .withDetail("checkedAt", check.at().toString());
    if (check.error() != null) {
      return health.withDetail("error", "cannot read this node's job locks: " + check.error()).build();
    }
    return health.withDetail("locksHeld", check.held())
        .withDetail("locksHeldOnJobsNotRunning", check.notRunning())
        .withDetail("locksReleasedSinceStart", locks.releasedSinceStart())
        .build();
  }
}

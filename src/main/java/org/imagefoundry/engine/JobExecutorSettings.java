package org.imagefoundry.engine;

import java.time.Duration;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutor;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/**
 * The job executor's lock owner and lock time, the engine's host name (the node's name, in the history
 * job log), and how often it polls. The lock must outlast the
 * longest command: a job whose lock expires while its step still runs is taken again by the same node
 * and runs beside itself. Idle, it polls after 0.5 s, then 1 s, then every 2 s, so a queued build
 * sees a free slot soon; the first wait must not exceed the longest, or Camunda's back-off never
 * waits at all and the poller spins on a core (measured: it made debootstrap twice as slow).
 */
@Component
public class JobExecutorSettings extends AbstractProcessEnginePlugin {

  static final Duration LOCK_MARGIN = Duration.ofMinutes(10);
  static final int FIRST_IDLE_WAIT_MILLIS = 500;
  static final long LONGEST_IDLE_WAIT_MILLIS = 2000;

  private final FoundrySettings settings;
  private final NodeIdentity node;

  public JobExecutorSettings(FoundrySettings settings, NodeIdentity node) {
    this.settings = settings;
    this.node = node;
  }

  public Duration lockTime() {
    return settings.timeouts().longest().plus(LOCK_MARGIN);
  }

  @Override
  public void postInit(ProcessEngineConfigurationImpl configuration) {
    JobExecutor jobExecutor = configuration.getJobExecutor();
    jobExecutor.setLockOwner(node.name());
    // the history job log records this as the host of every job: which node ran which step
    configuration.setHostname(node.name());
    // only jobs of this node's deployments (the builds it claimed, see NodeDeployment) and of none (history
    // cleanup, batches): not a setting, the cluster depends on it
    configuration.setJobExecutorDeploymentAware(true);
    jobExecutor.setLockTimeInMillis((int) lockTime().toMillis());
    jobExecutor.setWaitTimeInMillis(FIRST_IDLE_WAIT_MILLIS);
    jobExecutor.setMaxWait(LONGEST_IDLE_WAIT_MILLIS);
  }
}

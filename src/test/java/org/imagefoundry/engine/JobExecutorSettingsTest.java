package org.imagefoundry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.camunda.bpm.engine.impl.cfg.StandaloneInMemProcessEngineConfiguration;
import org.camunda.bpm.engine.impl.jobexecutor.AcquiredJobs;
import org.camunda.bpm.engine.impl.jobexecutor.BackoffJobAcquisitionStrategy;
import org.camunda.bpm.engine.impl.jobexecutor.DefaultJobExecutor;
import org.camunda.bpm.engine.impl.jobexecutor.JobAcquisitionContext;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;

class JobExecutorSettingsTest {

  final DefaultJobExecutor jobExecutor = new DefaultJobExecutor();

  JobExecutorSettings apply() {
    var settings = new JobExecutorSettings(Settings.defaults(), new NodeIdentity(Settings.defaults()));
    var configuration = new StandaloneInMemProcessEngineConfiguration();
    configuration.setJobExecutor(jobExecutor);
    settings.postInit(configuration);
    return settings;
  }

  @Test
  void theLockOutlastsTheLongestCommandAndNamesThisNode() {
    JobExecutorSettings settings = apply();

    assertThat(jobExecutor.getLockOwner()).isEqualTo("test-node");
    assertThat(Duration.ofMillis(jobExecutor.getLockTimeInMillis()))
        .isEqualTo(settings.lockTime()).isGreaterThan(Settings.defaults().timeouts().longest());
  }

  @Test
  void anIdleJobExecutorWaitsBetweenPollsInsteadOfSpinning() {
    apply();
    var strategy = new BackoffJobAcquisitionStrategy(jobExecutor);
    long previous = 0;
    for (int round = 0; round < 6; round++) {
      var idle = new JobAcquisitionContext();
      idle.submitAcquiredJobs("default", new AcquiredJobs(3)); // asked for three, got none
      strategy.reconfigure(idle);
      long wait = strategy.getWaitTime();
      assertThat(wait).as("wait after idle round " + round).isPositive().isGreaterThanOrEqualTo(previous)
          .isLessThanOrEqualTo(2000);
      previous = wait;
    }
    assertThat(previous).isEqualTo(2000);
  }
}

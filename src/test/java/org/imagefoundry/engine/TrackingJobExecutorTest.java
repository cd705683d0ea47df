package org.imagefoundry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.ProcessEngineImpl;
import org.imagefoundry.testing.ProcessTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The jobs the executor has taken on count as running from their hand-over until their batch has run. */
@ProcessTest
class TrackingJobExecutorTest {

  @Autowired ProcessEngine engine;

  final RunningJobs running = new RunningJobs();

  @Test
  void handedOverJobsRunUntilTheirBatchHasRun() {
    List<Runnable> pool = new ArrayList<>();
    var executor = new TrackingJobExecutor(pool::add, running);

    executor.executeJobs(List.of("job-a", "job-b"), (ProcessEngineImpl) engine);

    assertThat(running.contains("job-a")).isTrue();
    assertThat(running.contains("job-b")).isTrue();
    assertThat(pool).hasSize(1);

    pool.get(0).run(); // the engine's job executor is not active here: the batch unlocks its jobs instead

    assertThat(running.contains("job-a")).isFalse();
    assertThat(running.contains("job-b")).isFalse();
    assertThat(running.count()).isZero();
  }

  @Test
  void aRejectedBatchStaysTakenForAcquisitionSubmitsItAgain() {
    var executor = new TrackingJobExecutor(task -> {
      throw new RejectedExecutionException("pool full");
    }, running);
    executor.start(); // its acquisition (serving no engine here) is what takes rejected batches back
    try {
      executor.executeJobs(List.of("job-c"), (ProcessEngineImpl) engine);

      assertThat(running.contains("job-c")).isTrue();
    } finally {
      executor.shutdown();
    }
  }
}

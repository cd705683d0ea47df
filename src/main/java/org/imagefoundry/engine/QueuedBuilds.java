package org.imagefoundry.engine;

import jakarta.annotation.PreDestroy;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.cfg.TransactionState;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.runtime.Job;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * {@code ${queuedBuilds}} in the diagram, on the process's end: a build that ends frees its slot, so
 * once its end is committed the builds waiting at <i>Wait for a build slot</i> are woken at once (their
 * timers fire now), and the oldest of them goes on. Their timer stays as the fallback, for an end
 * whose wake-up is lost (the node died right after the commit).
 */
@Component("queuedBuilds")
public class QueuedBuilds implements ExecutionListener {

  static final String WAIT_FOR_BUILD_SLOT = "waitForBuildSlot";

  private static final Logger log = LoggerFactory.getLogger(QueuedBuilds.class);

  private final ManagementService management;
  private final ExecutorService waker = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "queued-builds");
    thread.setDaemon(true);
    return thread;
  });

  public QueuedBuilds(@Lazy ManagementService management) {
    this.management = management;
  }

  @Override
  public void notify(DelegateExecution execution) {
    Context.getCommandContext().getTransactionContext()
        .addTransactionListener(TransactionState.COMMITTED, commandContext -> waker.execute(this::wake));
  }

  /** Fires the timer of every build waiting for a slot; each then asks again whether its slot is free. */
  void wake() {
    for (Job timer : management.createJobQuery().activityId(WAIT_FOR_BUILD_SLOT).timers().list()) {
      try {
        management.executeJob(timer.getId());
      } catch (ProcessEngineException e) {
        // the job executor fired it at the same moment, or the build was cancelled meanwhile
        log.debug("waking queued build {}: {}", timer.getProcessInstanceId(), e.getMessage());
      }
    }
  }

  @PreDestroy
  void shutdown() {
    waker.shutdownNow();
  }
}

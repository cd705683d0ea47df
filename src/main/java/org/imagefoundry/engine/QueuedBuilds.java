package org.imagefoundry.engine;

import jakarta.annotation.PreDestroy;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.cfg.TransactionState;
import org.camunda.bpm.engine.impl.context.Context;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * {@code ${queuedBuilds}} in the diagram, on the process's end: a build that ends frees its node's slot,
 * so once its end is committed the node claims the oldest waiting build at once ({@link SlotClaims});
 * the claims every two seconds are only the fallback, for an end whose wake-up is lost.
 */
@Component("queuedBuilds")
public class QueuedBuilds implements ExecutionListener {

  private final SlotClaims claims;
  private final ExecutorService waker = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "queued-builds");
    thread.setDaemon(true);
    return thread;
  });

  public QueuedBuilds(@Lazy SlotClaims claims) {
    this.claims = claims;
  }

  @Override
  public void notify(DelegateExecution execution) {
    Context.getCommandContext().getTransactionContext()
        .addTransactionListener(TransactionState.COMMITTED, commandContext -> wake());
  }

  /** Claims waiting builds on another thread, after the commit that freed a slot or queued a build. */
  public void wake() {
    waker.execute(claims::claimQuietly);
  }

  @PreDestroy
  void shutdown() {
    waker.shutdownNow();
  }
}

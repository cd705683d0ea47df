package org.imagefoundry.engine;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cmd.DefaultJobRetryCmd;
import org.springframework.stereotype.Component;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * A step that failed because the database went away (its connection broke, none could be had) did
 * nothing wrong: the engine retries it after the retry cycle's wait as usual, but the failure does not
 * use up one of its retries. Otherwise a few database restarts in a row turn a healthy build into an
 * incident (seen in bench/chaos: three restarts 20-40 s apart, three lost commits of one step).
 */
@Component
public class DatabaseFailures extends AbstractProcessEnginePlugin {

  private static final int DEEPEST_CAUSE = 20;

  /** After init: the starter sets Camunda's default factory in its own preInit. */
  @Override
  public void postInit(ProcessEngineConfigurationImpl configuration) {
    configuration.setFailedJobCommandFactory((jobId, exception) -> new DefaultJobRetryCmd(jobId, exception) {
      @Override
      protected boolean shouldDecrementRetriesFor(Throwable failure) {
        return super.shouldDecrementRetriesFor(failure) && !causedBy(failure);
      }
    });
  }

  /** Whether the database's going away caused {@code failure}: a connection problem anywhere in its causes. */
  public static boolean causedBy(Throwable failure) {
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < DEEPEST_CAUSE; depth++, cause = cause.getCause()) {
      if (cause instanceof SQLTransientConnectionException || cause instanceof SQLNonTransientConnectionException
          || cause instanceof SQLRecoverableException || cause instanceof CannotCreateTransactionException) {
        return true;
      }
      // SQLSTATE class 08: connection exception; 57P01-57P03: the server shut down or is starting
      if (cause instanceof SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
        return true;
      }
    }
    return false;
  }
}

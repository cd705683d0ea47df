package org.imagefoundry.admission;

import javax.sql.DataSource;
import org.camunda.bpm.engine.RuntimeService;
import org.imagefoundry.process.BuildProcess;
import org.imagefoundry.process.BuildVariables;
import org.springframework.context.annotation.Lazy;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code image-foundry.quotas.max-builds-per-user}: the builds one user has queued or running (of the
 * whole cluster; a build in incident holds no slot and does not count). A start holds its user's row
 * ({@code SELECT … FOR UPDATE}) until it commits, so one user's starts, on any node, are counted one
 * after another: 200 at once let exactly the cap through.
 */
@Component
public class UserQuota {

  private static final String USERS = AdmissionTables.USERS;

  private final RuntimeService runtime;
  private final QuotaSettings settings;
  private final JdbcTemplate jdbc;
  private final TransactionTemplate ownTransaction;

  public UserQuota(@Lazy RuntimeService runtime, QuotaSettings settings, DataSource dataSource,
      @Lazy PlatformTransactionManager transactions) {
    this.runtime = runtime;
    this.settings = settings;
    this.jdbc = new JdbcTemplate(dataSource);
    this.ownTransaction = new TransactionTemplate(transactions);
    this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
  }

  /**
   * Builds of {@code user} that are queued or running; within a start, the build being started is not
   * among them (it is written to the database only when its start commits).
   */
  public long active(String user) {
    long unfinished = runtime.createProcessInstanceQuery().processDefinitionKey(BuildProcess.KEY)
        .variableValueEquals(BuildVariables.REQUESTED_BY, user).count();
    long inIncident = runtime.createProcessInstanceQuery().processDefinitionKey(BuildProcess.KEY)
        .variableValueEquals(BuildVariables.REQUESTED_BY, user).withIncident().count();
    return unfinished - inIncident;
  }

  /** Throws a 429 when {@code user} has the most builds one may have. */
  public void check(String user) {
    long active = active(user);
    if (active >= settings.maxBuildsPerUser()) {
      throw new AdmissionRefused(429, "Too many builds",
          user + " has " + active + " builds queued or running, the most one user may have "
              + "(image-foundry.quotas.max-builds-per-user); try again when one has ended", settings.retryAfter());
    }
  }

  /** {@link #check} within a build's start, holding the user's row until the start commits or rolls back. */
  public void hold(String user) {
    if (jdbc.queryForList("SELECT USER_ID_ FROM " + USERS + " WHERE USER_ID_ = ?", String.class, user).isEmpty()) {
      try {
        // in a transaction of its own: a duplicate key (another start made the row first) is harmless there
        ownTransaction.executeWithoutResult(status -> jdbc.update("INSERT INTO " + USERS + " (USER_ID_) VALUES (?)", user));
      } catch (DataAccessException e) {
        // the row exists now, which is all this needs
      }
    }
    jdbc.queryForList("SELECT USER_ID_ FROM " + USERS + " WHERE USER_ID_ = ? FOR UPDATE", String.class, user);
    check(user);
  }
}

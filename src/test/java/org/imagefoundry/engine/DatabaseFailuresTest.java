package org.imagefoundry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEnginePersistenceException;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.imagefoundry.builds.BuildService;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.DelegateSpy;
import org.imagefoundry.testing.ProcessDriver;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.users.Caller;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.TransactionSystemException;

/** A step failing because the database went away is retried as usual, but does not use up a retry. */
@ProcessTest
class DatabaseFailuresTest {

  @Autowired ProcessEngine engine;

  @Autowired org.imagefoundry.engine.SlotClaims slotClaims;
  @Autowired BuildService builds;
  @Autowired FoundrySettings settings;
  @Autowired DelegateSpy spy;

  @AfterEach
  void reset() {
    spy.reset();
    ProcessDriver.resetClock();
  }

  @Test
  void aLostConnectionIsTheDatabasesFailure() {
    var closed = new SQLException("Connection is closed", "08003");
    assertThat(DatabaseFailures.causedBy(new ProcessEnginePersistenceException("x",
        new TransactionSystemException("JDBC rollback failed", closed)))).isTrue();
    assertThat(DatabaseFailures.causedBy(new RuntimeException(new SQLTransientConnectionException("timeout")))).isTrue();
    assertThat(DatabaseFailures.causedBy(new RuntimeException(new SQLException("shutting down", "57P01")))).isTrue();
  }

  @Test
  void anythingElseIsTheSteps() {
    assertThat(DatabaseFailures.causedBy(new IllegalStateException("mkfs exited 1"))).isFalse();
    assertThat(DatabaseFailures.causedBy(new RuntimeException(new SQLException("duplicate key", "23505")))).isFalse();
    assertThat(DatabaseFailures.causedBy(new OptimisticLockingException("changed meanwhile"))).isFalse();
  }

  @Test
  void aStepTheDatabaseFailedKeepsItsRetriesAndOneThatFailedItselfUsesOne() {
    Requests.clean(settings);
    String id = builds.start(Requests.twoImages(settings), new Caller("admin", true));
    ProcessInstance build = engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(id)
        .singleResult();
    var driver = new ProcessDriver(engine, slotClaims);
    driver.runUntil(build, "createChroot");

    spy.failWith("createChroot", new IllegalStateException("commit failed",
        new TransactionSystemException("JDBC rollback failed", new SQLException("Connection is closed", "08003"))));
    driver.step(build);
    Job afterDatabase = job(build);

    spy.failTransiently("createChroot", 1);
    driver.step(build);
    Job afterStep = job(build);

    // the diagram's retry cycle in these tests is R2/PT1S
    assertThat(afterDatabase.getRetries()).as("retries after the database failed the step").isEqualTo(2);
    assertThat(afterDatabase.getExceptionMessage()).contains("commit failed");
    assertThat(afterStep.getRetries()).as("retries after the step failed itself").isEqualTo(1);
    engine.getRuntimeService().deleteProcessInstance(build.getId(), "test over", true, true);
  }

  Job job(ProcessInstance build) {
    return engine.getManagementService().createJobQuery().processInstanceId(build.getId()).singleResult();
  }
}

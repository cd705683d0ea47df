package org.imagefoundry.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.management.JobDefinition;
import org.camunda.bpm.engine.runtime.ProcessInstance;

/**
 * Camunda's management API on a service's PostgreSQL database, from the test's JVM: an engine without a
 * job executor, as a second node that runs nothing. A test holds a step with it at a chosen point: a
 * suspended job definition makes its jobs suspended, which no node acquires until they are activated.
 */
public final class EngineOperator implements AutoCloseable {

  private final ProcessEngine engine;
  private final ManagementService management;
  private final List<String> suspended = new ArrayList<>();

  public EngineOperator(String databaseUrl) {
    this.engine = ProcessEngineConfiguration.createStandaloneProcessEngineConfiguration()
        .setProcessEngineName("test-operator-" + System.nanoTime())
        .setJdbcUrl(databaseUrl)
        .setJdbcDriver("org.postgresql.Driver")
        .setJdbcUsername(Postgres.USER)
        .setJdbcPassword(Postgres.PASSWORD)
        .setDatabaseSchemaUpdate(ProcessEngineConfiguration.DB_SCHEMA_UPDATE_FALSE)
        .setHistory(ProcessEngineConfiguration.HISTORY_AUTO)
        .setJobExecutorActivate(false)
        .buildProcessEngine();
    this.management = engine.getManagementService();
  }

  /** The jobs of {@code activityId} made from now on are suspended: no node runs them. */
  public void suspend(String activityId) {
    for (JobDefinition definition : definitions(activityId)) {
      management.suspendJobDefinitionById(definition.getId(), true);
      suspended.add(definition.getId());
    }
  }

  /** Its jobs run again, the ones made meanwhile included. */
  public void activate(String activityId) {
    for (JobDefinition definition : definitions(activityId)) {
      management.activateJobDefinitionById(definition.getId(), true);
      suspended.remove(definition.getId());
    }
  }

  /** Waits until the build ({@code buildId}, its business key) has a suspended job of {@code activityId}. */
  public void awaitSuspendedJob(String buildId, String activityId, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      ProcessInstance instance = engine.getRuntimeService().createProcessInstanceQuery()
          .processInstanceBusinessKey(buildId).singleResult();
      if (instance != null && management.createJobQuery().processInstanceId(instance.getId())
          .activityId(activityId).suspended().count() > 0) {
        return;
      }
      Api.sleep(200);
    }
    throw new AssertionError("build " + buildId + " made no suspended job of " + activityId + " within " + timeout);
  }

  private List<JobDefinition> definitions(String activityId) {
    List<JobDefinition> definitions = management.createJobDefinitionQuery().activityIdIn(activityId).list();
    if (definitions.isEmpty()) {
      throw new IllegalArgumentException("no job definition for " + activityId + ": is the process deployed?");
    }
    return definitions;
  }

  /** Activates what it suspended, so that a failed test leaves no step held. */
  @Override
  public void close() {
    try {
      for (String id : List.copyOf(suspended)) {
        management.activateJobDefinitionById(id, true);
      }
    } finally {
      engine.close();
    }
  }
}

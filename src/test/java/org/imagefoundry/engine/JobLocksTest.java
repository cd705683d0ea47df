package org.imagefoundry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.imagefoundry.builds.BuildService;
import org.imagefoundry.monitoring.JobExecutorHealth;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.Requests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.Status;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A lock this node holds on a job none of its threads runs (a commit lost with the database) is
 * released within one check; a lock of another node, of a job still running here, or one just taken
 * (not yet handed to a thread) never is.
 */
@ProcessTest
class JobLocksTest {

  @Autowired ProcessEngine engine;
  @Autowired BuildService builds;
  @Autowired FoundrySettings settings;
  @Autowired JobLocks locks;
  @Autowired RunningJobs running;
  @Autowired NodeIdentity node;
  @Autowired JobExecutorSettings jobExecutor;
  @Autowired MeterRegistry registry;
  @Autowired DataSource dataSource;

  JdbcTemplate jdbc;
  Job job;

  @BeforeEach
  void startABuild() {
    jdbc = new JdbcTemplate(dataSource);
    Requests.clean(settings);
    String id = builds.start(Requests.twoImages(settings), new org.imagefoundry.users.Caller("admin", true));
    ProcessInstance instance = engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(id)
        .singleResult();
    job = engine.getManagementService().createJobQuery().processInstanceId(instance.getId()).singleResult();
  }

  @AfterEach
  void cancelIt() {
    running.remove(List.of(job.getId()));
    engine.getRuntimeService().deleteProcessInstance(job.getProcessInstanceId(), "test over", true, true);
  }

  @Test
  void aLockOfThisNodeOnAJobNoThreadRunsIsReleasedAndCounted() {
    double before = released();
    lock(node.name(), Duration.ofMinutes(1));

    JobLocks.Check check = locks.releaseOrphaned();

    assertThat(owner()).isNull();
    assertThat(released()).isEqualTo(before + 1);
    assertThat(check.error()).isNull();
    assertThat(check.stuck()).isFalse();
  }

  @Test
  void aJobThisNodeIsRunningKeepsItsLock() {
    lock(node.name(), Duration.ofMinutes(1));
    running.add(List.of(job.getId()));

    locks.releaseOrphaned();

    assertThat(owner()).isEqualTo(node.name());
  }

  @Test
  void anotherNodesLockIsNeverTouched() {
    lock("another-node", Duration.ofMinutes(1));

    locks.releaseOrphaned();

    assertThat(owner()).isEqualTo("another-node");
  }

  @Test
  void aLockJustTakenIsLeftToTheThreadItIsBeingHandedTo() {
    lock(node.name(), Duration.ZERO);

    locks.releaseOrphaned();

    assertThat(owner()).isEqualTo(node.name());
  }

  @Test
  void healthCountsTheReleasedLocks() {
    long before = (long) released();
    lock(node.name(), Duration.ofMinutes(1));
    locks.releaseOrphaned();

    var report = new JobExecutorHealth(engine, locks, running).health();

    Map<String, Object> details = report.getDetails();
    assertThat(details).containsEntry("locksReleasedSinceStart", before + 1).containsEntry("lockOwner", node.name())
        .containsKeys("locksHeld", "locksHeldOnJobsNotRunning", "jobsRunning", "checkedAt");
    // this test context runs no job executor: it is not active, so the job executor is reported DOWN
    assertThat(report.getStatus()).isEqualTo(Status.DOWN);
  }

  /** Locks the job as the job executor does, as if taken {@code ago}: it expires lockTime after it was taken. */
  void lock(String owner, Duration ago) {
    Instant expires = Instant.now().plus(jobExecutor.lockTime()).minus(ago);
    jdbc.update("UPDATE ACT_RU_JOB SET LOCK_OWNER_ = ?, LOCK_EXP_TIME_ = ? WHERE ID_ = ?", owner,
        Timestamp.from(expires), job.getId());
  }

  String owner() {
    return jdbc.queryForObject("SELECT LOCK_OWNER_ FROM ACT_RU_JOB WHERE ID_ = ?", String.class, job.getId());
  }

  double released() {
    return registry.counter("imagefoundry.job.locks.released").count();
  }
}

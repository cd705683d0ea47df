package org.imagefoundry.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The job locks this node holds that no thread of it will ever finish: taken back at start, before the
 * job executor runs (the locks of its previous life), and every few seconds while it runs (a step whose
 * commit failed with the database, and whose failure could not be recorded either, keeps its lock:
 * otherwise for the whole lock time, over an hour). Only this node's locks (its lock owner name is its
 * own), only of jobs it is not running ({@link RunningJobs}), and only locks taken more than
 * {@link #GRACE} ago, so a job between its acquisition and its hand-over to a thread is never touched.
 * A released job runs again from its idempotent beginning, as after a crash.
 */
@Component
public class JobLocks extends AbstractProcessEnginePlugin {

  private static final Logger LOG = LoggerFactory.getLogger(JobLocks.class);
  static final Duration GRACE = Duration.ofSeconds(10);

  /**
   * What one look at this node's locks found: how many it holds, how many of those no thread of it runs
   * (older than {@link #GRACE}), how many of these it released; {@code error} when the database could not
   * be asked.
   */
  public record Check(Instant at, int held, int notRunning, int released, String error) {

    public boolean stuck() {
      return error != null || released < notRunning;
    }
  }

  private final NodeIdentity node;
  private final RunningJobs running;
  private final JobExecutorSettings jobExecutor;
  private final Counter releasedCounter;
  private ProcessEngineConfigurationImpl configuration;
  private volatile Check last;

  public JobLocks(NodeIdentity node, RunningJobs running, JobExecutorSettings jobExecutor, MeterRegistry registry) {
    this.node = node;
    this.running = running;
    this.jobExecutor = jobExecutor;
    this.releasedCounter = Counter.builder("imagefoundry.job.locks.released")
        .description("locks this node held on jobs none of its threads was running, released while it ran")
        .register(registry);
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    this.configuration = configuration;
  }

  /** At start nothing of this node runs: every lock it holds is left from its previous life. */
  @Override
  public void postProcessEngineBuild(ProcessEngine processEngine) {
    String sql = "UPDATE " + table() + " SET LOCK_OWNER_ = NULL, LOCK_EXP_TIME_ = NULL, REV_ = REV_ + 1 WHERE LOCK_OWNER_ = ?";
    try (Connection connection = dataSource().getConnection(); PreparedStatement update = connection.prepareStatement(sql)) {
      connection.setAutoCommit(true);
      update.setString(1, node.name());
      int released = update.executeUpdate();
      if (released > 0) {
        LOG.info("took back {} job lock(s) this node ({}) held before it stopped: their steps run again now", released,
            node.name());
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not release this node's stale job locks", e);
    }
  }

  /** Releases this node's locks on jobs that none of its threads runs; returns what it found. */
  @Scheduled(fixedDelayString = "PT5S", initialDelayString = "PT5S")
  public Check releaseOrphaned() {
    Instant now = ClockUtil.getCurrentTime().toInstant();
    try (Connection connection = dataSource().getConnection()) {
      connection.setAutoCommit(true);
      List<Lock> held = held(connection);
      // a lock expires lockTime after it was taken: one expiring later than this was taken within GRACE
      Instant takenBefore = now.plus(jobExecutor.lockTime()).minus(GRACE);
      List<Lock> notRunning = held.stream()
          .filter(lock -> lock.expires().isBefore(takenBefore) && !running.contains(lock.id())).toList();
      int released = 0;
      for (Lock lock : notRunning) {
        released += release(connection, lock, takenBefore);
      }
      if (released > 0) {
        releasedCounter.increment(released);
        LOG.warn("released {} job lock(s) of this node ({}) that none of its threads was running (a commit "
            + "lost with the database): those steps run again from their beginning", released, node.name());
      }
      last = new Check(now, held.size(), notRunning.size(), released, null);
    } catch (SQLException | RuntimeException e) {
      last = new Check(now, -1, -1, 0, e.getMessage());
    }
    return last;
  }

  /** Locks released since this node started, for want of a thread running their jobs. */
  public long releasedSinceStart() {
    return (long) releasedCounter.count();
  }

  /** The last check, or a fresh one if none was made yet. */
  public Check lastCheck() {
    Check check = last;
    return check != null ? check : releaseOrphaned();
  }

  private record Lock(String id, int revision, Instant expires) {}

  private List<Lock> held(Connection connection) throws SQLException {
    List<Lock> held = new ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT ID_, REV_, LOCK_EXP_TIME_ FROM " + table() + " WHERE LOCK_OWNER_ = ?")) {
      select.setString(1, node.name());
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          Timestamp expires = rows.getTimestamp(3);
          held.add(new Lock(rows.getString(1), rows.getInt(2), expires == null ? Instant.MAX : expires.toInstant()));
        }
      }
    }
    return held;
  }

  /** The revision check keeps a job that was taken again, or finished, meanwhile. */
  private int release(Connection connection, Lock lock, Instant takenBefore) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement("UPDATE " + table()
        + " SET LOCK_OWNER_ = NULL, LOCK_EXP_TIME_ = NULL, REV_ = REV_ + 1"
        + " WHERE ID_ = ? AND REV_ = ? AND LOCK_OWNER_ = ? AND LOCK_EXP_TIME_ < ?")) {
      update.setString(1, lock.id());
      update.setInt(2, lock.revision());
      update.setString(3, node.name());
      update.setTimestamp(4, Timestamp.from(takenBefore));
      return update.executeUpdate();
    }
  }

  private DataSource dataSource() {
    return configuration.getDataSource();
  }

  private String table() {
    return configuration.getDatabaseTablePrefix() + "ACT_RU_JOB";
  }
}

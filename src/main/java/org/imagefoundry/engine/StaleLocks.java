package org.imagefoundry.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Takes back, at start and before the job executor runs, the job locks this node held when it died. A
 * crashed node's locks would otherwise hold its builds until the lock time (over an hour) ran out; no
 * other node can hold this node's lock owner name, so those jobs cannot be running anywhere.
 */
@Component
public class StaleLocks extends AbstractProcessEnginePlugin {

  private static final Logger LOG = LoggerFactory.getLogger(StaleLocks.class);

  private final NodeIdentity node;
  private ProcessEngineConfigurationImpl configuration;

  public StaleLocks(NodeIdentity node) {
    this.node = node;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    this.configuration = configuration;
  }

  @Override
  public void postProcessEngineBuild(ProcessEngine processEngine) {
    String table = configuration.getDatabaseTablePrefix() + "ACT_RU_JOB";
    String sql = "UPDATE " + table + " SET LOCK_OWNER_ = NULL, LOCK_EXP_TIME_ = NULL, REV_ = REV_ + 1 WHERE LOCK_OWNER_ = ?";
    try (Connection connection = configuration.getDataSource().getConnection();
        PreparedStatement update = connection.prepareStatement(sql)) {
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
}

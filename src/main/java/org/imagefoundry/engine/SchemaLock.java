package org.imagefoundry.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * On PostgreSQL, nodes build the process engine one at a time, under an advisory lock: two nodes
 * starting on an empty database would otherwise both create the schema and one would fail on tables
 * the other just made. The lock is held from before the schema check until the engine is built.
 */
@Component
public class SchemaLock extends AbstractProcessEnginePlugin {

  private static final Logger LOG = LoggerFactory.getLogger(SchemaLock.class);
  /** Any constant shared by all nodes: "imgfndry" in ASCII. */
  static final long LOCK_KEY = 0x696d67666e647279L;

  private Connection held;

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    try {
      Connection connection = configuration.getDataSource().getConnection();
      if (!connection.getMetaData().getDatabaseProductName().equalsIgnoreCase("PostgreSQL")) {
        connection.close();
        return;
      }
      connection.setAutoCommit(true);
      try (Statement lock = connection.createStatement()) {
        LOG.info("waiting for the schema lock (another node may be creating the engine's tables)");
        lock.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
      }
      held = connection;
    } catch (SQLException e) {
      throw new IllegalStateException("could not take the schema lock", e);
    }
  }

  @Override
  public void postProcessEngineBuild(ProcessEngine processEngine) {
    if (held == null) {
      return;
    }
    try (Connection connection = held; Statement unlock = connection.createStatement()) {
      unlock.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
    } catch (SQLException e) {
      LOG.warn("could not release the schema lock; it goes with the connection: {}", e.getMessage());
    } finally {
      held = null;
    }
  }
}

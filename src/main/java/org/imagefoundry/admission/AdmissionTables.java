package org.imagefoundry.admission;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.springframework.stereotype.Component;

/**
 * The tables of {@link OutputClaims} and {@link UserQuota}, made beside the engine's (after
 * engine.SchemaLock's preInit, so on PostgreSQL under its lock): plain SQL that H2 and PostgreSQL both
 * take. The key of a claim is the SHA-256 of its path, so any path fits an index.
 */
@Component
public class AdmissionTables extends AbstractProcessEnginePlugin {

  static final String CLAIMS = "IF_OUTPUT_CLAIM";
  static final String SUPERSEDED = "IF_SUPERSEDED_BUILD";
  static final String USERS = "IF_QUOTA_USER";

  @Override
  public void postInit(ProcessEngineConfigurationImpl configuration) {
    try (Connection connection = configuration.getDataSource().getConnection();
        Statement ddl = connection.createStatement()) {
      connection.setAutoCommit(true);
      ddl.execute("CREATE TABLE IF NOT EXISTS " + CLAIMS + " (PATH_KEY_ VARCHAR(64) PRIMARY KEY, "
          + "PATH_ VARCHAR(4000) NOT NULL, BUILD_ID_ VARCHAR(64) NOT NULL, OWNER_ VARCHAR(255) NOT NULL, "
          + "PUBLISHED_ BOOLEAN NOT NULL, PREVIOUS_BUILD_ID_ VARCHAR(64), PREVIOUS_OWNER_ VARCHAR(255))");
      ddl.execute("CREATE INDEX IF NOT EXISTS " + CLAIMS + "_BUILD ON " + CLAIMS + " (BUILD_ID_)");
      ddl.execute("CREATE TABLE IF NOT EXISTS " + SUPERSEDED + " (BUILD_ID_ VARCHAR(64) NOT NULL, "
          + "BY_BUILD_ID_ VARCHAR(64) NOT NULL, AT_ TIMESTAMP NOT NULL, PRIMARY KEY (BUILD_ID_, BY_BUILD_ID_))");
      ddl.execute("CREATE TABLE IF NOT EXISTS " + USERS + " (USER_ID_ VARCHAR(255) PRIMARY KEY)");
    } catch (SQLException e) {
      throw new IllegalStateException("could not create the admission's tables", e);
    }
  }
}

package org.imagefoundry.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.imagefoundry.process.BuildProcess;
import org.springframework.stereotype.Component;

/**
 * One build per id, however and wherever it is started. A query before the start cannot promise that
 * (four concurrent starts with one business key all find none), so ids live in a table of ours,
 * {@code IF_BUILD_ID}, whose primary key is the id, shared by the nodes with the engine's database:
 * <ul>
 *   <li>a start through the engine REST API first {@link #reserve reserves} its id, committed at once:
 *       of concurrent starts with one id exactly one gets it, the others are answered 400 before the
 *       engine sees them; a start that then fails gives the id back ({@link #release});</li>
 *   <li>the diagram's start listener {@code ${uniqueBuildIds}} marks the id started in the start's own
 *       transaction: a reserved id once, an id nobody reserved by inserting it. A start whose id is
 *       started already (any start that passed no reservation, from any door or node) rolls back whole.</li>
 * </ul>
 * Ids stay in the table after history cleanup, so an id never names two builds.
 */
@Component("uniqueBuildIds")
public class UniqueBuildIds extends AbstractProcessEnginePlugin implements ExecutionListener {

  static final String TABLE = "IF_BUILD_ID";

  private ProcessEngineConfigurationImpl configuration;

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    this.configuration = configuration;
  }

  /** The table, and the ids of the builds started before it existed (a duplicate among them is kept once). */
  @Override
  public void postProcessEngineBuild(ProcessEngine engine) {
    String history = configuration.getDatabaseTablePrefix() + "ACT_HI_PROCINST";
    try (Connection connection = configuration.getDataSource().getConnection()) {
      connection.setAutoCommit(true);
      try (Statement create = connection.createStatement()) {
        create.execute("CREATE TABLE IF NOT EXISTS " + TABLE
            + " (ID_ VARCHAR(64) NOT NULL PRIMARY KEY, STARTED_ SMALLINT NOT NULL)");
      } catch (SQLException e) {
        // another node starting at the same moment may have made it (PostgreSQL's IF NOT EXISTS can
        // still fail on the catalog's unique index then): fine if it is there now
        try (Statement exists = connection.createStatement()) {
          exists.executeQuery("SELECT ID_, STARTED_ FROM " + TABLE + " WHERE 1 = 0").close();
        }
      }
      try (PreparedStatement known = connection.prepareStatement("INSERT INTO " + TABLE + " (ID_, STARTED_)"
          + " SELECT DISTINCT h.BUSINESS_KEY_, 1 FROM " + history + " h WHERE h.PROC_DEF_KEY_ = ? AND h.BUSINESS_KEY_ IS NOT NULL"
          + " AND NOT EXISTS (SELECT 1 FROM " + TABLE + " b WHERE b.ID_ = h.BUSINESS_KEY_)")) {
        known.setString(1, BuildProcess.KEY);
        known.executeUpdate();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not prepare the table of build ids " + TABLE, e);
    }
  }

  /**
   * Reserves an id for a start about to be made, committed at once; false when the id is reserved or
   * started already.
   */
  public boolean reserve(String id) {
    try (Connection connection = configuration.getDataSource().getConnection()) {
      connection.setAutoCommit(true);
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO " + TABLE + " (ID_, STARTED_) VALUES (?, 0)")) {
        insert.setString(1, id);
        insert.executeUpdate();
        return true;
      }
    } catch (SQLException e) {
      if (isTaken(e)) {
        return false;
      }
      throw new IllegalStateException("could not reserve the build id " + id, e);
    }
  }

  /** Gives back a reservation whose start did not happen; an id a build was started with stays. */
  public void release(String id) {
    try (Connection connection = configuration.getDataSource().getConnection()) {
      connection.setAutoCommit(true);
      try (PreparedStatement delete = connection.prepareStatement(
          "DELETE FROM " + TABLE + " WHERE ID_ = ? AND STARTED_ = 0")) {
        delete.setString(1, id);
        delete.executeUpdate();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not release the build id " + id, e);
    }
  }

  /** The start listener: the id is marked started in the start's transaction, or the start is refused. */
  @Override
  public void notify(DelegateExecution execution) {
    String id = execution.getProcessBusinessKey();
    if (id == null) {
      throw new BadUserRequestException("a build starts with its build id as business key");
    }
    Connection connection = Context.getCommandContext().getDbSqlSession().getSqlSession().getConnection();
    try (PreparedStatement reserved = connection.prepareStatement(
        "UPDATE " + TABLE + " SET STARTED_ = 1 WHERE ID_ = ? AND STARTED_ = 0")) {
      reserved.setString(1, id);
      if (reserved.executeUpdate() == 1) {
        return;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not record the build id " + id, e);
    }
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO " + TABLE + " (ID_, STARTED_) VALUES (?, 1)")) {
      insert.setString(1, id);
      insert.executeUpdate();
    } catch (SQLException e) {
      if (isTaken(e)) {
        throw new BadUserRequestException("a build with the id " + id + " exists");
      }
      throw new IllegalStateException("could not record the build id " + id, e);
    }
  }

  /**
   * A unique-key violation (SQLState class 23), or H2's lock time-out while another transaction holds
   * the same new key: both mean another start took the id.
   */
  static boolean isTaken(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("23") || state.equals("HYT00"));
  }
}

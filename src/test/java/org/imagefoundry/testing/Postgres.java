package org.imagefoundry.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.imagefoundry.host.Command;
import org.imagefoundry.host.ProcessCommandRunner;

/** The local PostgreSQL that scripts/postgres installs and starts: fresh databases, and restarts. */
public final class Postgres {

  public static final String USER = "imagefoundry";
  public static final String PASSWORD = "imagefoundry";
  private static final ProcessCommandRunner RUN = new ProcessCommandRunner();

  private Postgres() {}

  /** Makes sure the server runs (installing it if needed), then creates an empty database. */
  public static String freshDatabaseUrl() {
    RUN.run(Command.of(Duration.ofMinutes(10), "scripts/postgres"));
    String name = "if_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection admin = DriverManager.getConnection("jdbc:postgresql://localhost:5432/postgres", USER, PASSWORD)) {
      admin.createStatement().execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name, e);
    }
    return "jdbc:postgresql://localhost:5432/" + name;
  }

  /** Restarts the server (fast shutdown: open connections break, as in a real database restart). */
  public static void restart() {
    cluster("restart", "-m", "fast");
  }

  /** Stops the server (fast shutdown: open connections break, and every new one is refused). */
  public static void stop() {
    cluster("stop", "-m", "fast");
  }

  public static void start() {
    cluster("start");
  }

  private static void cluster(String... action) {
    String[] cluster = RUN.run(Command.of(Duration.ofMinutes(1), "pg_lsclusters", "--no-header")).lines().get(0).trim()
        .split("\\s+");
    var args = new java.util.ArrayList<>(List.of("pg_ctlcluster", cluster[0], cluster[1]));
    args.addAll(List.of(action));
    RUN.run(new Command(args, java.util.Map.of(), Duration.ofMinutes(2), java.util.Set.of(0)));
  }
}

package org.imagefoundry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The service as operators run it, {@code scripts/service} ({@code java -jar} on the extracted jar) on
 * PostgreSQL (or, with no database URL, on its embedded H2), as a separate process that a test can kill with SIGKILL and start again on the same database and disks.
 */
public class ServiceProcess {

  private final String databaseUrl;
  private final Path root;
  private final String nodeName;
  private final List<String> extraArgs;
  private final List<String> launcher;
  private final int port;
  private Process process;
  private int lives;
  private boolean inTheTestsMountNamespace;

  public ServiceProcess(String databaseUrl, Path root, String nodeName, String... extraArgs) {
    this(databaseUrl, root, nodeName, freePort(), extraArgs);
  }

  /** On a given port: nodes of one cluster on one host, each its own node name, port and root. */
  public ServiceProcess(String databaseUrl, Path root, String nodeName, int port, String... extraArgs) {
    this(List.of("scripts/service"), databaseUrl, root, nodeName, port, extraArgs);
  }

  private ServiceProcess(List<String> launcher, String databaseUrl, Path root, String nodeName, int port,
      String... extraArgs) {
    this.launcher = launcher;
    this.port = port;
    this.databaseUrl = databaseUrl;
    this.root = root;
    this.nodeName = nodeName;
    this.extraArgs = List.of(extraArgs);
  }

  /** The packed jar, as {@code java -jar target/image-foundry.jar} runs it (no mount namespace of its own: no builds). */
  public static ServiceProcess packedJar(Path root, String nodeName, String... extraArgs) {
    return new ServiceProcess(List.of("java", "-Xmx512m", "-jar", "target/image-foundry.jar"), null, root, nodeName,
        freePort(), extraArgs);
  }

  /**
   * Starts the service from this test JVM's mount namespace, which holds the test's own mounts (a small
   * filesystem to fill), rather than from the host's. Its namespace then also copies the mounts of builds
   * that other test classes run in this JVM at that moment, and keeps them alive until it stops.
   */
  public ServiceProcess inTheTestsMountNamespace() {
    inTheTestsMountNamespace = true;
    return this;
  }

  /**
   * As an operator starts it: from the host's mount namespace ({@link HostNamespace}), not from the one the
   * test suite runs in (scripts/test: unshare --mount), whose builds' mounts a service started here would copy and
   * keep alive after the test JVM unmounts them (a build of another class then waits in detachLoopDevices).
   */
  private List<String> fromTheHostsMountNamespace() {
    try {
      Path host = HostNamespace.mountNamespace();
      Path own = Path.of("/proc/self/ns/mnt");
      if (inTheTestsMountNamespace || Files.readSymbolicLink(host).equals(Files.readSymbolicLink(own))) {
        return List.of();
      }
      // entering a mount namespace moves to its root directory: the launcher is relative to this one
      return List.of("nsenter", "--mount=" + host, "--wd=" + Path.of("").toAbsolutePath(), "--");
    } catch (IOException e) {
      return List.of();
    }
  }

  public String base() {
    return "http://localhost:" + port;
  }

  public Api api() {
    return new Api("http://localhost:" + port, "admin", RealBuildTest.PASSWORD);
  }

  /** No credentials: what a load balancer's health probe sends. */
  public Api anonymous() {
    return new Api("http://localhost:" + port, null, null);
  }

  public String nodeName() {
    return nodeName;
  }

  public Path root() {
    return root;
  }

  public long pid() {
    return process.pid();
  }

  /** The mount table of the service's own mount namespace. */
  public String mountinfo() {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid()), "mountinfo"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the service and waits until it answers; returns when it was launched. */
  public Instant start() {
    List<String> command = new ArrayList<>(fromTheHostsMountNamespace());
    command.addAll(launcher);
    command.addAll(List.of(
        "--spring.profiles.active=" + (databaseUrl == null ? "default" : "postgres"),
        "--server.port=" + port,
        "--image-foundry.node-name=" + nodeName,
        "--image-foundry.data-dir=" + root.resolve("data"),
        "--image-foundry.build-root=" + root.resolve("build"),
        "--image-foundry.allowed-output-roots=" + root.resolve("images"),
        "--image-foundry.admin.password=" + RealBuildTest.PASSWORD,
        "--image-foundry.retry-cycle=R5/PT5S"));
    command.addAll(extraArgs);
    Instant launched = Instant.now();
    try {
      Files.createDirectories(root);
      var builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("service-" + nodeName + ".log").toFile()));
      if (databaseUrl != null) {
        builder.environment().put("IMAGE_FOUNDRY_DB_URL", databaseUrl);
      }
      builder.environment().put("IMAGE_FOUNDRY_DB_USER", Postgres.USER);
      builder.environment().put("IMAGE_FOUNDRY_DB_PASSWORD", Postgres.PASSWORD);
      process = builder.start();
      lives++;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    awaitHealthy(Duration.ofMinutes(3));
    return launched;
  }

  /** SIGKILL: no shutdown hook, no cleanup, locks left in the database, commands orphaned. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void awaitHealthy(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    Api api = api();
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the service died at start; see " + root.resolve("service-" + nodeName + ".log"));
      }
      try {
        int status = api.get("/actuator/health").status();
        if (status == 200 || status == 503) {
          return; // listening: 503 is a health check saying DOWN, which some tests cause on purpose
        }
      } catch (IllegalStateException notYet) {
        // not listening yet
      }
      Api.sleep(250);
    }
    throw new IllegalStateException("the service did not become healthy within " + timeout);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

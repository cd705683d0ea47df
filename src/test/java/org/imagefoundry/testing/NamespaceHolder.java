package org.imagefoundry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Another process that takes a mount namespace of its own, as {@code unshare -m sleep}, systemd's
 * {@code PrivateTmp=} or a container do: it gets a copy of every mount of the namespace it leaves, and
 * keeps the copy for as long as it lives. Always closed in a finally: it is killed and waited for.
 */
public final class NamespaceHolder implements AutoCloseable {

  private static final String SLEEP = "600";

  private final Process process;

  private NamespaceHolder(List<String> command) {
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    awaitUnshared();
  }

  /**
   * A process on the host: made in the host's mount namespace ({@link HostNamespace}) when this JVM may
   * enter it, otherwise in this JVM's own, which is not the service's either (scripts/service gives the
   * service one of its own).
   */
  public static NamespaceHolder onTheHost() {
    List<String> command = new ArrayList<>();
    if (readable(HostNamespace.mountNamespace())) {
      command.addAll(List.of("nsenter", "--target", HostNamespace.pid(), "--mount", "--"));
    }
    command.addAll(List.of("unshare", "--mount", "sleep", SLEEP));
    return new NamespaceHolder(command);
  }

  /** A process the service might have started itself: made inside the service's own mount namespace. */
  public static NamespaceHolder inTheNamespaceOf(long pid) {
    return new NamespaceHolder(List.of("nsenter", "--target", Long.toString(pid), "--mount", "--",
        "unshare", "--mount", "sleep", SLEEP));
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The holder's mount table: the copy it took. */
  public String mountinfo() {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid()), "mountinfo"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** nsenter and unshare exec in the same process: once it runs sleep, its namespace is made. */
  private void awaitUnshared() {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    Path cmdline = Path.of("/proc", Long.toString(pid()), "cmdline");
    while (Instant.now().isBefore(deadline)) {
      try {
        if (Files.readString(cmdline).equals("sleep\0" + SLEEP + "\0")) {
          return;
        }
      } catch (IOException notYet) {
        // not there yet, or ended: isAlive says which
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("the namespace holder ended at once with exit code " + process.exitValue());
      }
      Api.sleep(20);
    }
    close();
    throw new IllegalStateException("the namespace holder did not start within 30 s");
  }

  private static boolean readable(Path link) {
    try {
      Files.readSymbolicLink(link);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}

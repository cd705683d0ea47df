package org.imagefoundry.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.stereotype.Component;

/** Runs commands as child processes: argument lists, a time limit, output into the build log. */
@Component
public class ProcessCommandRunner implements CommandRunner {

  private static final int KEPT_LINES = 200;

  /** Commands running now, so that stopping the service stops them too rather than orphaning them. */
  private final java.util.Set<Process> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  /**
   * A build's commands run at a lower CPU and I/O priority than the service itself (niceness 10, best-effort
   * I/O at its lowest level), so that the API and Cockpit answer while builds unpack, compress and check.
   * nice and ionice exec the command: its pid is the one this runner sees.
   */
  static final List<String> BUILD_PRIORITY = List.of("nice", "-n", "10", "ionice", "-c", "2", "-n", "7");
  /**
   * Work beside a build's steps (BesideTasks) yields to them: on two cores the base tree's store at the
   * steps' priority took 0.64 s instead of 0.37 s and made apt 0.1 s slower, gaining the build nothing.
   */
  static final List<String> BESIDE_PRIORITY = List.of("nice", "-n", "19", "ionice", "-c", "3");
  /** The node's name, carried by every command of a build beside the build's id; null outside a node. */
  private final String node;

  /** Commands of no node (tests, tools): they carry a build's tag but no node's. */
  public ProcessCommandRunner() {
    this((String) null);
  }

  @org.springframework.beans.factory.annotation.Autowired
  public ProcessCommandRunner(org.imagefoundry.settings.FoundrySettings settings) {
    this(settings.node());
  }

  private ProcessCommandRunner(String node) {
    this.node = node;
  }

  @Override
  public CommandResult run(Command command) {
    long started = System.nanoTime();
    Process process = launch(command, true);
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // nothing was to be written: the child simply sees end of input
    }
    var lines = new Lines();
    Thread reader = daemon(BuildLog.withContext(() -> lines.read(process.getInputStream())));
    int exitCode = await(command, process, lines, reader, started);
    var result = new CommandResult(exitCode, lines.all());
    if (!command.okExitCodes().contains(exitCode)) {
      throw failure(command, result);
    }
    return result;
  }

  @Override
  public void pipe(Command command, InputStream stdin, OutputStream stdout) {
    long started = System.nanoTime();
    Process process = launch(command, false);
    var lines = new Lines();
    var copyError = new AtomicReference<IOException>();
    Thread feeder = daemon(BuildLog.withContext(() -> {
      try (OutputStream toChild = process.getOutputStream()) {
        stdin.transferTo(toChild);
      } catch (IOException e) {
        copyError.compareAndSet(null, e);
      }
    }));
    Thread reader = daemon(BuildLog.withContext(() -> lines.read(process.getErrorStream())));
    try (InputStream fromChild = process.getInputStream()) {
      fromChild.transferTo(stdout);
    } catch (IOException e) {
      copyError.compareAndSet(null, e);
    }
    int exitCode = await(command, process, lines, reader, started);
    join(feeder);
    var result = new CommandResult(exitCode, lines.all());
    if (!command.okExitCodes().contains(exitCode)) {
      throw failure(command, result);
    }
    if (copyError.get() != null) {
      throw new UncheckedIOException("streaming through " + command.program() + " failed", copyError.get());
    }
  }

  @Override
  public RunningCommand start(Command command) {
    Process process = launch(command, true);
    daemon(BuildLog.withContext(() -> new Lines().read(process.getInputStream())));
    Runnable timeLimitReached = BuildLog.withContext(() -> {
      BuildLog.warn("{} reached its time limit of {}: killed", command.program(), command.timeout());
      process.destroyForcibly();
    });
    process.onExit().orTimeout(command.timeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((ended, timedOut) -> {
      if (timedOut != null) {
        timeLimitReached.run();
      }
    });
    return new Started(process);
  }

  /** Standard input stays open (a pipe from this JVM): a holder that reads it ends when the service does. */
  private record Started(Process process) implements RunningCommand {

    @Override
    public long pid() {
      return process.pid();
    }

    @Override
    public boolean isAlive() {
      return process.isAlive();
    }

    @Override
    public void close() {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Process launch(Command command, boolean mergeStderr) {
    BuildLog.command(command);
    String build = BuildLog.currentBuild();
    List<String> args = command.args();
    if (build != null) {
      args = new java.util.ArrayList<>(BuildLog.beside() ? BESIDE_PRIORITY : BUILD_PRIORITY);
      args.addAll(command.args());
    }
    var builder = new ProcessBuilder(args).redirectErrorStream(mergeStderr);
    var env = builder.environment();
    env.put("PATH", PATH);
    env.put("LC_ALL", "C");
    if (build != null) {
      env.put(BuildLog.PROCESS_TAG, BuildLog.processTag());
      if (node != null) {
        env.put(BuildLog.NODE_TAG, node);
      }
    }
    env.putAll(command.env());
    try {
      Process process = builder.start();
      running.add(process);
      process.onExit().thenRun(() -> running.remove(process));
      return process;
    } catch (IOException e) {
      throw new CommandFailedException(command, 127, List.of(e.getMessage()), "could not be started");
    }
  }

  /** On shutdown: the commands in flight stop with the service; their steps run again at its next start. */
  @jakarta.annotation.PreDestroy
  public void stopRunningCommands() {
    for (Process process : running) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  /** Waits for the process, then logs its exit and how long it ran since {@code started} (before its launch). */
  private int await(Command command, Process process, Lines lines, Thread reader, long started) {
    try {
      if (!process.waitFor(command.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        join(reader);
        throw CommandFailedException.timedOut(command, lines.all());
      }
      join(reader);
      int exitCode = process.exitValue();
      BuildLog.exit(command, exitCode, Duration.ofNanos(System.nanoTime() - started));
      return exitCode;
    } catch (InterruptedException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new CommandFailedException(command, -1, lines.all(), "was interrupted");
    }
  }

  private static Thread daemon(Runnable task) {
    var thread = new Thread(task, "command-io");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void join(Thread thread) {
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A full disk cannot be retried away: it ends the build (and its cleanup frees the space). */
  private static RuntimeException failure(Command command, CommandResult result) {
    var failure = CommandFailedException.exited(command, result);
    if (failure.outputContains("No space left on device")) {
      return new BuildFailure("no space left on device: " + failure.getMessage(), failure);
    }
    return failure;
  }

  /** Output lines: each goes to the build log as it arrives; the last ones are kept for the result. */
  private static final class Lines {
    private final Deque<String> kept = new ArrayDeque<>();

    void read(InputStream stream) {
      try (var reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          BuildLog.output(line);
          synchronized (kept) {
            kept.addLast(line);
            if (kept.size() > KEPT_LINES) {
              kept.removeFirst();
            }
          }
        }
      } catch (IOException e) {
        // the process was killed or closed its output: what was read is kept
      }
    }

    List<String> all() {
      synchronized (kept) {
        return new ArrayList<>(kept);
      }
    }
  }
}

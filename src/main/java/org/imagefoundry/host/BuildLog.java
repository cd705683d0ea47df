package org.imagefoundry.host;

import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The build's log: every line is written with the build id and phase in the MDC, and logback's
 * sifting appender (logback-spring.xml) files it under {@code <data-dir>/logs/<buildId>.log}.
 */
public final class BuildLog {

  public static final String BUILD_ID = "buildId";
  public static final String PHASE = "phase";
  /** Set in the environment of every command a build runs, so its processes can be found after a crash. */
  public static final String PROCESS_TAG = "IMAGE_FOUNDRY_BUILD";
  /** Set beside {@link #PROCESS_TAG}: the node that ran the command, so a starting node kills only its own. */
  public static final String NODE_TAG = "IMAGE_FOUNDRY_NODE";
  /**
   * In the MDC of work beside a build's steps ({@link BesideTasks}): its commands are tagged
   * {@code <build id>/beside}, so the next step, which kills what the build left running, leaves them
   * alone, while a starting node still kills them as it kills every command of its previous life.
   */
  static final String BESIDE = "beside";

  private static final Logger LOG = LoggerFactory.getLogger("org.imagefoundry.build");
  /** Command output: only in the build's own log file (logback-spring.xml), not on the console. */
  private static final Logger OUTPUT = LoggerFactory.getLogger("org.imagefoundry.build.output");

  private BuildLog() {}

  public static void info(String message, Object... args) {
    LOG.info(message, args);
  }

  public static void warn(String message, Object... args) {
    LOG.warn(message, args);
  }

  static void command(Command command) {
    LOG.info("$ {}", command.display());
  }

  static void output(String line) {
    OUTPUT.info("  {}", line);
  }

  static void exit(Command command, int exitCode, Duration took) {
    LOG.info("{} exited {} after {} ms", command.program(), exitCode, took.toMillis());
  }

  /** The current build's id, or null outside a build. */
  public static String currentBuild() {
    return MDC.get(BUILD_ID);
  }

  /** What the current build's commands are tagged with: its id, or for work beside its steps {@code <id>/beside}. */
  static String processTag() {
    String build = currentBuild();
    return build == null || !beside() ? build : build + "/beside";
  }

  /** Whether the current thread does work beside a build's steps ({@link BesideTasks}). */
  static boolean beside() {
    return MDC.get(BESIDE) != null;
  }

  /** Copies the MDC of the calling thread into a task run on another thread. */
  public static Runnable withContext(Runnable task) {
    Map<String, String> context = MDC.getCopyOfContextMap();
    return () -> {
      if (context != null) {
        MDC.setContextMap(context);
      }
      try {
        task.run();
      } finally {
        MDC.clear();
      }
    };
  }
}

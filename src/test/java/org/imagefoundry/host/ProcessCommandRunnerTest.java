package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class ProcessCommandRunnerTest {

  final ProcessCommandRunner runner = new ProcessCommandRunner();

  @AfterEach
  void leaveTheBuild() {
    MDC.clear();
  }

  @Test
  void aBuildsCommandsRunAtALowerCpuAndIoPriorityThanTheService() {
    int service = niceness();
    String serviceIo = ioPriority();

    MDC.put(BuildLog.BUILD_ID, "b1");

    assertThat(niceness()).isEqualTo(Math.min(19, service + 10));
    assertThat(ioPriority()).isEqualTo("best-effort: prio 7").isNotEqualTo(serviceIo);
  }

  @Test
  void aBuildsCommandKeepsItsArgumentsAndExitCode() {
    MDC.put(BuildLog.BUILD_ID, "b1");

    CommandResult result = runner.run(Command.of(Duration.ofSeconds(10), "sh", "-c", "echo \"$0 $1\"; exit 3", "a b",
        "c").okExitCodes(3));

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.lines()).containsExactly("a b c");
  }

  @Test
  void aCommandWithoutFsyncRunsWithLibeatmydataLoadedAndAnotherWithout() {
    Command maps = Command.of(Duration.ofSeconds(10), "cat", "/proc/self/maps");

    assertThat(runner.run(maps.withoutFsync()).output()).contains("libeatmydata");
    assertThat(runner.run(maps).output()).doesNotContain("libeatmydata");
  }

  @Test
  void theLogSaysHowLongACommandRanWhetherItsOutputIsReadOrPiped() {
    var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.imagefoundry.build");
    var appender = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
    appender.start();
    logger.addAppender(appender);
    try {
      // its output ends as it exits: a piped command's time is not just what is left of it after its output
      Command sleeper = Command.of(Duration.ofSeconds(10), "sh", "-c", "sleep 0.3; echo done");
      runner.run(sleeper);
      runner.pipe(sleeper, java.io.InputStream.nullInputStream(), java.io.OutputStream.nullOutputStream());
    } finally {
      logger.detachAppender(appender);
    }

    // a lower bound only: sleep 0.3 cannot end sooner, however busy the machine
    assertThat(appender.list).map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
        .filteredOn(message -> message.startsWith("sh exited 0 after ")).hasSize(2)
        .allSatisfy(message -> assertThat(Long.parseLong(message.replaceAll("sh exited 0 after (\\d+) ms", "$1")))
            .isGreaterThanOrEqualTo(300));
  }

  int niceness() {
    return Integer.parseInt(runner.run(Command.of(Duration.ofSeconds(10), "nice")).lines().get(0).trim());
  }

  String ioPriority() {
    return runner.run(Command.of(Duration.ofSeconds(10), "ionice")).lines().get(0).trim();
  }
}

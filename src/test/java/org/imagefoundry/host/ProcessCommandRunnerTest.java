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

  int niceness() {
    return Integer.parseInt(runner.run(Command.of(Duration.ofSeconds(10), "nice")).lines().get(0).trim());
  }

  String ioPriority() {
    return runner.run(Command.of(Duration.ofSeconds(10), "ionice")).lines().get(0).trim();
  }
}

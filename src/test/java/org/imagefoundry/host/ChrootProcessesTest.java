package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes: those carrying a build's tag are found and stopped; others are left alone. */
class ChrootProcessesTest {

  final ChrootProcesses processes = new ChrootProcesses();

  Process sleeper(String buildId) throws Exception {
    var builder = new ProcessBuilder("sleep", "600");
    if (buildId != null) {
      builder.environment().put(BuildLog.PROCESS_TAG, buildId);
    }
    return builder.start();
  }

  @Test
  void aCommandLeftRunningByTheBuildIsFoundAndStoppedAndNoOtherIs(@TempDir Path dir) throws Exception {
    Process ours = sleeper("build-a");
    Process another = sleeper("build-b");
    Process untagged = sleeper(null);
    try {
      Workspace workspace = new Workspace("build-a", dir.resolve("build-a"));

      assertThat(processes.find(workspace)).extracting(ProcessHandle::pid).containsExactly(ours.pid());
      assertThat(processes.stop(workspace)).isEqualTo(1);
      assertThat(processes.find(workspace)).isEmpty();

      assertThat(ours.waitFor(5, TimeUnit.SECONDS)).isTrue();
      assertThat(another.isAlive()).isTrue();
      assertThat(untagged.isAlive()).isTrue();
    } finally {
      another.destroyForcibly();
      untagged.destroyForcibly();
      ours.destroyForcibly();
    }
  }
}

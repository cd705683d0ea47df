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
    return sleeper(buildId, null);
  }

  Process sleeper(String buildId, String node) throws Exception {
    var builder = new ProcessBuilder("sleep", "600");
    if (buildId != null) {
      builder.environment().put(BuildLog.PROCESS_TAG, buildId);
    }
    if (node != null) {
      builder.environment().put(BuildLog.NODE_TAG, node);
    }
    return builder.start();
  }

  /** The same build on two nodes of one host (evacuated from one, running on the other): each node sees only its own. */
  @Test
  void aNodeFindsOnlyItsOwnCommandsOfABuildThatAnotherNodeAlsoRuns(@TempDir Path dir) throws Exception {
    Process mine = sleeper("build-c", "node-a");
    Process theOthers = sleeper("build-c", "node-b");
    try {
      Workspace workspace = new Workspace("build-c", dir.resolve("build-c"));

      assertThat(new ChrootProcesses("node-a").find(workspace)).extracting(ProcessHandle::pid).containsExactly(mine.pid());
      assertThat(new ChrootProcesses("node-b").find(workspace)).extracting(ProcessHandle::pid)
          .containsExactly(theOthers.pid());
    } finally {
      mine.destroyForcibly();
      theOthers.destroyForcibly();
    }
  }

  /** A starting node kills what its previous life left running, and no other node's commands. */
  @Test
  void aStartingNodeKillsOnlyItsOwnOrphans() throws Exception {
    Process orphan = sleeper("build-d", "orphans-test-node-a");
    Process anotherNodes = sleeper("build-e", "orphans-test-node-b");
    Process noNode = sleeper("build-f");
    try {
      assertThat(ChrootProcesses.stopOrphans("orphans-test-node-a")).isEqualTo(1);

      assertThat(orphan.waitFor(5, TimeUnit.SECONDS)).isTrue();
      assertThat(anotherNodes.isAlive()).isTrue();
      assertThat(noNode.isAlive()).isTrue();
    } finally {
      orphan.destroyForcibly();
      anotherNodes.destroyForcibly();
      noNode.destroyForcibly();
    }
  }

  /** Work beside the build's steps (BesideTasks) is not its leftover, but a starting node's orphan all the same. */
  @Test
  void aCommandBesideTheBuildIsNotItsLeftoverButIsItsNodesOrphan(@TempDir Path dir) throws Exception {
    Process step = sleeper("build-g", "beside-test-node");
    Process beside = sleeper("build-g/beside", "beside-test-node");
    try {
      Workspace workspace = new Workspace("build-g", dir.resolve("build-g"));
      assertThat(new ChrootProcesses("beside-test-node").find(workspace)).extracting(ProcessHandle::pid)
          .containsExactly(step.pid());

      assertThat(ChrootProcesses.stopOrphans("beside-test-node")).isEqualTo(2);
      assertThat(beside.waitFor(5, TimeUnit.SECONDS)).isTrue();
    } finally {
      step.destroyForcibly();
      beside.destroyForcibly();
    }
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

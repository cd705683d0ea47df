package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class BesideTasksTest {

  final BesideTasks beside = new BesideTasks();

  /**
   * Commands run beside build b1 are tagged apart from its steps' (see ChrootProcessesTest for what that
   * spares) and yield to them (the service's own niceness plus 19 against plus 10).
   */
  @Test
  void aCommandBesideTheBuildCarriesTheBesideTagAndYieldsToTheSteps() {
    ProcessCommandRunner runner = new ProcessCommandRunner();
    List<String> tags = new CopyOnWriteArrayList<>();
    MDC.put(BuildLog.BUILD_ID, "b1");
    try {
      tags.add(runner.run(Command.of(Duration.ofMinutes(1), "sh", "-c", "echo \"$IMAGE_FOUNDRY_BUILD\" $(nice)")).output().strip());
      beside.start("b1", () -> tags.add(runner.run(Command.of(Duration.ofMinutes(1), "sh", "-c",
          "echo \"$IMAGE_FOUNDRY_BUILD\" $(nice)")).output().strip()));
    } finally {
      MDC.clear();
    }
    beside.await("b1");

    int own = niceness(); // outside a build a command runs at the service's own
    assertThat(tags).containsExactly("b1 " + Math.min(19, own + 10), "b1/beside " + Math.min(19, own + 19));
  }

  /** This process's niceness, as nice prints it. */
  static int niceness() {
    return Integer.parseInt(new ProcessCommandRunner().run(Command.of(Duration.ofMinutes(1), "nice")).output().strip());
  }

  @Test
  void awaitReturnsOnlyOnceEveryTaskOfTheBuildHasEndedAndNotForAnotherBuilds() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<String> done = new CopyOnWriteArrayList<>();
    beside.start("b1", () -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      done.add("b1 store");
    });
    beside.start("b1", () -> done.add("b1 other"));
    CountDownLatch otherStarted = new CountDownLatch(1);
    beside.start("b2", () -> {
      otherStarted.countDown();
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    otherStarted.await(10, TimeUnit.SECONDS);

    Thread waiter = new Thread(() -> beside.await("b1"));
    waiter.start();
    waiter.join(200);
    assertThat(waiter.isAlive()).as("still waiting for b1's store").isTrue();
    release.countDown();
    waiter.join(10_000);

    assertThat(waiter.isAlive()).isFalse();
    assertThat(done).containsExactlyInAnyOrder("b1 store", "b1 other");
  }

  @Test
  void aFailedTaskIsLoggedNotThrownAndABuildWithoutTasksIsNotWaitedFor() {
    beside.start("b1", () -> {
      throw new IllegalStateException("the cache's disk is full");
    });

    beside.await("b1");
    beside.await("b1");
    beside.await("never-started");
  }
}

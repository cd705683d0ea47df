package org.imagefoundry.cli;

import java.time.Duration;

/** Polls a build until it has ended or needs an admin (INCIDENT), showing each poll on a {@link ProgressView}. */
public class BuildWatch {

  private final ServiceClient service;
  private final Duration pollInterval;

  public BuildWatch(ServiceClient service, Duration pollInterval) {
    this.service = service;
    this.pollInterval = pollInterval;
  }

  public BuildStatus until(String id, ProgressView view) {
    long started = System.nanoTime();
    try {
      while (true) {
        BuildStatus build = BuildStatus.of(service.getJson(ApiPaths.build(id)));
        view.update(build, Duration.ofNanos(System.nanoTime() - started));
        // an incident waits for an admin's retry or cancel: a pipeline cannot, so the wait ends here
        if (build.hasEnded() || build.state().equals("INCIDENT")) {
          return build;
        }
        sleep();
      }
    } finally {
      view.finish();
    }
  }

  private void sleep() {
    try {
      Thread.sleep(pollInterval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(ExitCodes.USAGE, "interrupted");
    }
  }
}

package org.imagefoundry.cli;

import java.time.Duration;

/** How a waiting command shows a build's progress: a live line on a terminal, one line per phase in a pipe. */
public interface ProgressView {

  /** Shows nothing: for a wait whose progress the build's log already shows. */
  ProgressView NONE = new ProgressView() {
    @Override
    public void update(BuildStatus build, Duration elapsed) {}

    @Override
    public void finish() {}
  };

  /** The build as the latest poll found it, {@code elapsed} since the wait began. */
  void update(BuildStatus build, Duration elapsed);

  /** The wait is over: leave the output at the start of a fresh line. */
  void finish();
}

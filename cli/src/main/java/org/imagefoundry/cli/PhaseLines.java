package org.imagefoundry.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;

/**
 * In a pipe or CI log: one plain line each time the build enters another phase or state
 * ({@code 0:42  35%  RUNNING  debootstrap}), and nothing in between, so the log stays short and greppable.
 */
public class PhaseLines implements ProgressView {

  private final PrintStream out;
  private String lastState;
  private String lastPhase;

  public PhaseLines(PrintStream out) {
    this.out = out;
  }

  @Override
  public void update(BuildStatus build, Duration elapsed) {
    if (Objects.equals(build.state(), lastState) && Objects.equals(build.phase(), lastPhase)) {
      return;
    }
    lastState = build.state();
    lastPhase = build.phase();
    int percent = (int) Math.floor(Math.max(0, Math.min(1, build.progress())) * 100);
    out.println("%s  %3d%%  %s  %s".formatted(BuildStatus.clock(elapsed), percent, build.state(),
        build.phase() == null ? "-" : TerminalText.printable(build.phase())));
    out.flush();
  }

  @Override
  public void finish() {}
}

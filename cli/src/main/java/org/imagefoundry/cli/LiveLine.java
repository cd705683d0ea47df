package org.imagefoundry.cli;

import java.io.PrintStream;
import java.time.Duration;

/**
 * On a terminal: one line, redrawn in place with a carriage return at every poll: a bar, the
 * percentage, the phase and the elapsed time. A shorter line is padded with spaces over the longer one
 * before it, so no escape sequence is needed.
 */
public class LiveLine implements ProgressView {

  static final int BAR = 24;

  private final PrintStream out;
  private int drawn;

  public LiveLine(PrintStream out) {
    this.out = out;
  }

  @Override
  public void update(BuildStatus build, Duration elapsed) {
    String line = render(build, elapsed);
    out.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())));
    out.flush();
    drawn = line.length();
  }

  static String render(BuildStatus build, Duration elapsed) {
    int percent = (int) Math.floor(Math.max(0, Math.min(1, build.progress())) * 100);
    int filled = percent * BAR / 100;
    String phase = build.phase() == null ? "" : TerminalText.printable(build.phase());
    String state = build.state().equals("RUNNING") ? "" : build.state() + " ";
    return "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "] %3d%%  %s%s  %s".formatted(percent, state, phase,
        BuildStatus.clock(elapsed));
  }

  @Override
  public void finish() {
    if (drawn > 0) {
      out.println();
      out.flush();
    }
  }
}

package org.imagefoundry.host;

import java.util.List;

/** What a finished command left: its exit code and its output lines (stdout and stderr merged). */
public record CommandResult(int exitCode, List<String> lines) {

  public CommandResult {
    lines = List.copyOf(lines);
  }

  public String output() {
    return String.join("\n", lines);
  }
}

package org.imagefoundry.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;

/**
 * The end of a wait: for a good build its outputs (md5, two spaces, path: {@code md5sum -c} reads those
 * lines) on standard output and exit 0; for any other its error and the last lines of its log on
 * standard error, and exit 1.
 */
public class BuildOutcome {

  static final int LOG_LINES = 20;

  private final ServiceClient service;
  private final PrintStream out;
  private final PrintStream err;

  public BuildOutcome(ServiceClient service, PrintStream out, PrintStream err) {
    this.service = service;
    this.out = out;
    this.err = err;
  }

  public int report(BuildStatus build) {
    String took = BuildStatus.clock(build.duration(Instant.now()));
    if (build.isGood()) {
      out.println("build " + build.id() + " " + build.state() + " after " + took);
      for (BuildStatus.Output output : build.outputs()) {
        out.println(output.md5() + "  " + output.path());
      }
      if (build.metadataPath() != null) {
        out.println("metadata: " + build.metadataPath());
      }
      out.flush();
      return ExitCodes.OK;
    }
    err.println("build " + build.id() + " " + build.state() + (build.phase() == null ? "" : " in " + build.phase())
        + " after " + took + (build.error() == null ? "" : ": " + TerminalText.printable(build.error())));
    List<String> log = lastLines(build.id());
    if (!log.isEmpty()) {
      err.println("last lines of its log:");
      log.forEach(line -> err.println("  " + TerminalText.printable(line)));
    }
    err.flush();
    return ExitCodes.BUILD_FAILED;
  }

  private List<String> lastLines(String id) {
    try {
      List<String> lines = service.getText(ApiPaths.build(id) + "/log").lines().toList();
      return lines.subList(Math.max(0, lines.size() - LOG_LINES), lines.size());
    } catch (Failure e) {
      return List.of("(the log could not be read: " + e.getMessage() + ")");
    }
  }
}

package org.imagefoundry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code list [--state S] [--limit N]}: the newest builds, one a line. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Lists builds, newest first.")
public class ListCommand implements Callable<Integer> {

  /** The states the service knows (the API's BuildState). */
  public enum State { QUEUED, RUNNING, INCIDENT, SUCCEEDED, SKIPPED, FAILED, CANCELLED }

  @ParentCommand ImageFoundryCommand root;

  @Option(names = "--state", paramLabel = "S", description = "only builds in this state: ${COMPLETION-CANDIDATES}")
  State state;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "at most N builds, 1 to 1000 (default ${DEFAULT-VALUE})")
  int limit;

  @Override
  public Integer call() {
    if (limit < 1 || limit > 1000) {
      throw new Failure(ExitCodes.USAGE, "--limit must be from 1 to 1000: " + limit);
    }
    JsonNode builds = root.service().getJson("/api/builds?limit=" + limit + (state == null ? "" : "&state=" + state));
    Table table = new Table("ID", "STATE", "PHASE", "PROGRESS", "CREATED", "DURATION", "ERROR");
    Instant now = Instant.now();
    for (JsonNode build : builds) {
      BuildStatus status = BuildStatus.of(build);
      table.row(status.id(), status.state(), status.phase(), Math.round(status.progress() * 100) + "%",
          status.createdAt(), BuildStatus.clock(status.duration(now)), firstLine(status.error(), 120));
    }
    table.print(root.invocation().out());
    return ExitCodes.OK;
  }

  static String firstLine(String text, int most) {
    if (text == null) {
      return null;
    }
    String line = text.lines().filter(l -> !l.isBlank()).findFirst().orElse("").strip();
    return line.length() > most ? line.substring(0, most - 1) + "…" : line;
  }
}

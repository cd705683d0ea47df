package org.imagefoundry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code show ID [-o json|yaml]}: one build, readable, or as the API returns it. */
@Command(name = "show", mixinStandardHelpOptions = true,
    description = "Shows a build: its state, phase, error, images and the time of every phase.")
public class ShowCommand implements Callable<Integer> {

  public enum Format { text, json, yaml }

  @ParentCommand ImageFoundryCommand root;

  @Parameters(paramLabel = "ID") String id;

  @Option(names = {"-o", "--output"}, defaultValue = "text", description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
  Format format;

  @Override
  public Integer call() throws IOException {
    JsonNode build = root.service().getJson(ApiPaths.build(id));
    PrintStream out = root.invocation().out();
    switch (format) {
      case json -> out.println(ServiceClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(build));
      case yaml -> out.print(YAMLMapper.builder().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build()
          .writeValueAsString(build));
      case text -> text(build, out);
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static void text(JsonNode json, PrintStream out) {
    BuildStatus build = BuildStatus.of(json);
    out.println("id:        " + build.id());
    out.println("state:     " + build.state());
    out.println("phase:     " + (build.phase() == null ? "-" : build.phase()));
    out.println("node:      " + json.path("node").asText("-"));
    out.println("progress:  " + Math.round(build.progress() * 100) + "%");
    out.println("created:   " + build.createdAt());
    out.println("ended:     " + (build.endedAt() == null ? "-" : build.endedAt()));
    out.println("duration:  " + BuildStatus.clock(build.duration(Instant.now())));
    if (build.error() != null) {
      out.println("error:     " + build.error().strip().lines().map(TerminalText::printable)
          .collect(java.util.stream.Collectors.joining("\n           ")));
    }
    for (BuildStatus.Output output : build.outputs()) {
      out.println("image:     " + output.md5() + "  " + output.path());
    }
    if (build.metadataPath() != null) {
      out.println("metadata:  " + build.metadataPath());
    }
    if (json.path("phases").size() > 0) {
      out.println();
      Table phases = new Table("PHASE", "STARTED", "DURATION");
      for (JsonNode phase : json.path("phases")) {
        phases.row(phase.path("phase").asText(), phase.path("startedAt").asText("-"),
            phase.path("durationMs").isNumber() ? seconds(phase.path("durationMs").asLong()) : "running");
      }
      phases.print(out);
    }
  }

  private static String seconds(long millis) {
    return millis < 60_000 ? "%.1f s".formatted(millis / 1000.0) : BuildStatus.clock(Duration.ofMillis(millis));
  }
}

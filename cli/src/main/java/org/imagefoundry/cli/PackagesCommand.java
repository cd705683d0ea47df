package org.imagefoundry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code packages ID}: every package installed in the build's image. */
@Command(name = "packages", mixinStandardHelpOptions = true,
    description = "Lists every package installed in a published build's image: name, version, architecture, source, repo.")
public class PackagesCommand implements Callable<Integer> {

  @ParentCommand ImageFoundryCommand root;

  @Parameters(paramLabel = "ID") String id;

  @Override
  public Integer call() {
    Table table = new Table("NAME", "VERSION", "ARCHITECTURE", "SOURCE", "REPO");
    for (JsonNode p : root.service().getJson(ApiPaths.build(id) + "/packages")) {
      table.row(p.path("name").asText(), p.path("version").asText(), p.path("architecture").asText(),
          p.path("source").asText(null), p.path("repo").asText(null));
    }
    table.print(root.invocation().out());
    return ExitCodes.OK;
  }
}

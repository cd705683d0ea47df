package org.imagefoundry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code nodes}: the cluster's nodes. */
@Command(name = "nodes", mixinStandardHelpOptions = true,
    description = "Lists the cluster's nodes: alive, slots in use, builds, free space, last heartbeat.")
public class NodesCommand implements Callable<Integer> {

  @ParentCommand ImageFoundryCommand root;

  @Override
  public Integer call() {
    Table table = new Table("NAME", "ALIVE", "SLOTS", "BUILDS", "FREE", "HEARTBEAT");
    for (JsonNode node : root.service().getJson("/api/nodes")) {
      table.row(node.path("name").asText(), node.path("alive").asBoolean() ? "yes" : "NO",
          node.path("slotsInUse").asLong() + "/" + node.path("slots").asInt(), node.path("builds").size(),
          gib(node.path("freeBytes").asLong()), node.path("lastHeartbeat").asText("-"));
    }
    table.print(root.invocation().out());
    return ExitCodes.OK;
  }

  private static String gib(long bytes) {
    return "%.1f GiB".formatted(bytes / (1024.0 * 1024 * 1024));
  }
}

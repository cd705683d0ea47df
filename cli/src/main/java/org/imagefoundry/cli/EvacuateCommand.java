package org.imagefoundry.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code evacuate NODE}: gives up a node that is down (admins); its builds start again elsewhere. */
@Command(name = "evacuate", mixinStandardHelpOptions = true,
    description = "Gives up a node that is down (admins): its builds start again from their first step on other nodes.")
public class EvacuateCommand implements Callable<Integer> {

  @ParentCommand ImageFoundryCommand root;

  @Parameters(paramLabel = "NODE") String node;

  @Override
  public Integer call() {
    var answer = root.service().post(ApiPaths.node(node) + "/evacuate");
    root.invocation().out().println("node " + node + " evacuated; builds started again: " + answer.path("builds"));
    return ExitCodes.OK;
  }
}

package org.imagefoundry.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code cancel ID}: cancels a queued, running or failed-step build (admins); it ends CANCELLED. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
    description = "Cancels a build that is queued, running or in INCIDENT (admins): its steps are undone, it ends CANCELLED.")
public class CancelCommand implements Callable<Integer> {

  @ParentCommand ImageFoundryCommand root;

  @Parameters(paramLabel = "ID") String id;

  @Override
  public Integer call() {
    var answer = root.service().post(ApiPaths.build(id) + "/cancel");
    root.invocation().out().println("build " + id + ": " + answer.path("status").asText("cancelling"));
    return ExitCodes.OK;
  }
}

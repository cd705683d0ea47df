package org.imagefoundry.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code retry ID}: retries the failed step of a build in incident (admins). */
@Command(name = "retry", mixinStandardHelpOptions = true,
    description = "Retries the failed step of a build in INCIDENT (admins), after its cause was fixed.")
public class RetryCommand implements Callable<Integer> {

  @ParentCommand ImageFoundryCommand root;

  @Parameters(paramLabel = "ID") String id;

  @Override
  public Integer call() {
    var answer = root.service().post(ApiPaths.build(id) + "/retry");
    root.invocation().out().println("build " + id + ": " + answer.path("status").asText("retrying"));
    return ExitCodes.OK;
  }
}

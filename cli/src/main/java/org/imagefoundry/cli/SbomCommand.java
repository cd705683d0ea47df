package org.imagefoundry.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code sbom ID}: the build's SPDX 2.3 document, as the service serves it. */
@Command(name = "sbom", mixinStandardHelpOptions = true, description = "Prints a published build's SPDX 2.3 document (JSON).")
public class SbomCommand implements Callable<Integer> {

  @ParentCommand ImageFoundryCommand root;

  @Parameters(paramLabel = "ID") String id;

  @Override
  public Integer call() {
    var out = root.invocation().out();
    out.println(root.service().getText(ApiPaths.build(id) + "/sbom"));
    out.flush();
    return ExitCodes.OK;
  }
}

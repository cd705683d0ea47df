package org.imagefoundry.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code log ID [-f]}: the build's log: each command, its output and exit code. */
@Command(name = "log", mixinStandardHelpOptions = true, description = "Prints a build's log; -f follows it until the build ends.")
public class LogCommand implements Callable<Integer> {

  @ParentCommand ImageFoundryCommand root;

  @Parameters(paramLabel = "ID") String id;

  @Option(names = {"-f", "--follow"}, description = "print the log as it grows, until the build ends")
  boolean follow;

  @Override
  public Integer call() {
    var out = root.invocation().out();
    if (follow) {
      root.service().streamLines(ApiPaths.build(id) + "/log?follow=true", line -> {
        out.println(line);
        out.flush();
      });
    } else {
      out.print(root.service().getText(ApiPaths.build(id) + "/log"));
      out.flush();
    }
    return ExitCodes.OK;
  }
}

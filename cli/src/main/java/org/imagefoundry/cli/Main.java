package org.imagefoundry.cli;

import picocli.CommandLine;

/** The {@code image-foundry} command: runs one command and exits with its code (see {@link ExitCodes}). */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(Invocation.ofThisProcess(), args));
  }

  public static int run(Invocation invocation, String... args) {
    CommandLine command = new CommandLine(new ImageFoundryCommand(invocation));
    command.setCaseInsensitiveEnumValuesAllowed(true);
    command.setOut(new java.io.PrintWriter(invocation.out(), true));
    command.setErr(new java.io.PrintWriter(invocation.err(), true));
    command.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof Failure failure) {
        invocation.err().println("image-foundry: " + failure.getMessage());
        invocation.err().flush();
        return failure.exitCode();
      }
      invocation.err().println("image-foundry: " + e);
      invocation.err().flush();
      return ExitCodes.USAGE;
    });
    return command.execute(args);
  }
}

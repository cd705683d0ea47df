package org.imagefoundry.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code image-foundry}: the options every command shares, and the service client they build. */
@Command(name = "image-foundry", mixinStandardHelpOptions = true, version = "image-foundry 0.1.0",
    description = "Builds Debian images with an Image Foundry service, over its REST API.",
    subcommands = {BuildCommand.class, ListCommand.class, ShowCommand.class, LogCommand.class, PackagesCommand.class,
        SbomCommand.class, RetryCommand.class, CancelCommand.class, NodesCommand.class, EvacuateCommand.class,
        AutoComplete.GenerateCompletion.class, CommandLine.HelpCommand.class},
    footerHeading = "%nCredentials and exit codes:%n",
    footer = {
        "The password never goes on the command line. It comes from --credentials FILE,",
        "else IMAGE_FOUNDRY_PASSWORD (user: IMAGE_FOUNDRY_USER, default admin), else",
        "~/.config/image-foundry/credentials (user=... and password=... lines; mode 600:",
        "a file others may read is refused), else a prompt on the terminal.",
        "The service: --url, else IMAGE_FOUNDRY_URL, else " + ServiceUrl.DEFAULT + ".",
        "",
        "Exit codes: 0 done (a waited-for build SUCCEEDED or was SKIPPED); 1 the build",
        "FAILED, was CANCELLED or is in INCIDENT; 2 bad usage, or the service could not",
        "be reached or refused the call; 3 the login was refused.",
        "",
        "Completion (bash, zsh): source <(image-foundry generate-completion)"})
public class ImageFoundryCommand implements Callable<Integer> {

  private final Invocation invocation;

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
      description = "the service (default: IMAGE_FOUNDRY_URL, else " + ServiceUrl.DEFAULT + ")")
  String url;

  @Option(names = "--credentials", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "a credentials file of mode 600 with user=... and password=... lines")
  Path credentials;

  public ImageFoundryCommand(Invocation invocation) {
    this.invocation = invocation;
  }

  public Invocation invocation() {
    return invocation;
  }

  /** The client of the service the options name; it asks for the credentials at its first call. */
  public ServiceClient service() {
    String text = url != null ? url : invocation.variable(ServiceUrl.VARIABLE);
    return new ServiceClient(ServiceUrl.parse(text == null ? ServiceUrl.DEFAULT : text),
        () -> Credentials.resolve(invocation, credentials));
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(invocation.err());
    return ExitCodes.USAGE;
  }
}

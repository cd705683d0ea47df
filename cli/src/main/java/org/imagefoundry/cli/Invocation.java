package org.imagefoundry.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What one run of the command is given besides its arguments: the environment, the terminal (null in a
 * pipe or CI), standard output and error, the home directory, and how often a waiting build is polled.
 * Tests give their own.
 */
public record Invocation(Map<String, String> environment, Terminal terminal, PrintStream out, PrintStream err,
    Path home, Duration pollInterval) {

  public static Invocation ofThisProcess() {
    var console = System.console();
    // $HOME first, as other commands read it: the JVM's user.home comes from the password database
    String home = System.getenv("HOME");
    return new Invocation(System.getenv(), console == null ? null : Terminal.ofConsole(console), System.out,
        System.err, Path.of(home == null || home.isEmpty() ? System.getProperty("user.home") : home),
        Duration.ofSeconds(1));
  }

  public boolean onTerminal() {
    return terminal != null;
  }

  public String variable(String name) {
    String value = environment.get(name);
    return value == null || value.isEmpty() ? null : value;
  }
}

package org.imagefoundry.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** One run of the command in the test's JVM, with the environment, terminal and home the test gives; its output kept. */
class Run {

  final Map<String, String> environment = new HashMap<>();
  Terminal terminal;
  Path home;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  int exitCode = -1;

  Run(Path home) {
    this.home = home;
  }

  Run env(String name, String value) {
    environment.put(name, value);
    return this;
  }

  Run onTerminal(Terminal terminal) {
    this.terminal = terminal;
    return this;
  }

  Run execute(String... args) {
    exitCode = Main.run(new Invocation(Map.copyOf(environment), terminal,
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), home,
        Duration.ofMillis(5)), args);
    return this;
  }

  String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  String err() {
    return err.toString(StandardCharsets.UTF_8);
  }
}

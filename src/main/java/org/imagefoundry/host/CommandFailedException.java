package org.imagefoundry.host;

import java.util.List;

/**
 * A command that exited with an unexpected code or ran out of time. The message names the command, its
 * exit code and the last lines of its output, so an incident in Cockpit says what went wrong.
 */
public class CommandFailedException extends RuntimeException {

  static final int TAIL_LINES = 15;

  private final Command command;
  private final int exitCode;
  private final List<String> tail;

  public CommandFailedException(Command command, int exitCode, List<String> lines, String reason) {
    super(message(command, reason, lines));
    this.command = command;
    this.exitCode = exitCode;
    this.tail = tail(lines);
  }

  public static CommandFailedException exited(Command command, CommandResult result) {
    return new CommandFailedException(command, result.exitCode(), result.lines(), "exited with code " + result.exitCode());
  }

  public static CommandFailedException timedOut(Command command, List<String> lines) {
    return new CommandFailedException(command, -1, lines, "timed out after " + command.timeout());
  }

  public Command command() {
    return command;
  }

  public int exitCode() {
    return exitCode;
  }

  public List<String> tail() {
    return tail;
  }

  public boolean outputContains(String text) {
    return tail.stream().anyMatch(line -> line.contains(text));
  }

  private static List<String> tail(List<String> lines) {
    return List.copyOf(lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
  }

  private static String message(Command command, String reason, List<String> lines) {
    var text = new StringBuilder("`").append(command.summary()).append("` ").append(reason);
    var tail = tail(lines);
    if (!tail.isEmpty()) {
      text.append("; last output:\n").append(String.join("\n", tail));
    }
    return text.toString();
  }
}

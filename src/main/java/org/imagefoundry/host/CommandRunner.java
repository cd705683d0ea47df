package org.imagefoundry.host;

import java.io.InputStream;
import java.io.OutputStream;

/** The only way this service starts a process. */
public interface CommandRunner {

  /** Runs the command to its end; throws {@link CommandFailedException} unless it exits with an ok code. */
  CommandResult run(Command command);

  /**
   * Runs the command with {@code stdin} as its standard input and its standard output copied to
   * {@code stdout} (standard error goes to the build log); for streaming filters such as compressors.
   */
  void pipe(Command command, InputStream stdin, OutputStream stdout);

  /**
   * Starts the command and returns at once (a namespace's holder, say): it carries the build's tag like
   * every command, its output goes to the build log, its standard input stays open until it is closed,
   * and it is killed at its time limit if it has not been closed by then.
   */
  RunningCommand start(Command command);
}

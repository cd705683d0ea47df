package org.imagefoundry.host;

/** A command started by {@link CommandRunner#start} that runs beside the next ones until it is closed. */
public interface RunningCommand extends AutoCloseable {

  long pid();

  boolean isAlive();

  /** Ends it (SIGKILL) and waits for it; never throws: a command that already ended is fine. */
  @Override
  void close();
}

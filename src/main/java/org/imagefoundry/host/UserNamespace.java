package org.imagefoundry.host;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A user namespace made for one command, whose root is not the host's root: ids are mapped one to one
 * over the whole range (files keep their owners, chown to _apt and setuid bits work), but every
 * capability held in it counts only in it, so what the kernel checks against the host's namespace
 * (open_by_handle_at, mknod of a device, mount, module loading, raw I/O) is refused. A holder process
 * ({@code unshare --user -- cat}) makes it and keeps it; this service writes its id maps from outside,
 * as root here, which needs no newuidmap; the command joins it with nsenter. Closing kills the holder;
 * the namespace ends with the last process in it. The holder carries the build's tag, so cancel and
 * crash recovery find it, and it reads its standard input, a pipe from this service: it ends with the
 * service at the latest.
 */
public final class UserNamespace implements AutoCloseable {

  /** Inside id N is outside id N, for every id (4294967295 itself is no id). */
  static final String IDENTITY = "0 0 4294967295";
  static final List<String> HOLDER = List.of("unshare", "--user", "--", "cat");
  /** unshare takes a millisecond; a holder not in its namespace by then is broken. */
  private static final Duration UNSHARED_WITHIN = Duration.ofSeconds(30);

  private final RunningCommand holder;
  private final String namespace;

  private UserNamespace(RunningCommand holder, String namespace) {
    this.holder = holder;
    this.namespace = namespace;
  }

  /** A new namespace whose holder lives at most {@code timeLimit}: the time limit of the command it is for. */
  public static UserNamespace open(CommandRunner runner, UserNamespaceFiles files, Duration timeLimit) {
    RunningCommand holder = runner.start(Command.of(timeLimit, HOLDER));
    try {
      awaitUnshared(holder, files);
      // setgroups stays "allow": apt and dpkg drop to _apt and other users with their groups
      files.writeIdMaps(holder.pid(), IDENTITY, IDENTITY);
      return new UserNamespace(holder, files.userNamespace(holder.pid()));
    } catch (RuntimeException e) {
      holder.close();
      throw e;
    }
  }

  /** {@code command}, run as this namespace's root: with every capability, which count only here. */
  public List<String> enter(List<String> command) {
    List<String> args = new ArrayList<>(List.of("nsenter", "--user=" + namespace, "--"));
    args.addAll(command);
    return args;
  }

  @Override
  public void close() {
    holder.close();
  }

  private static void awaitUnshared(RunningCommand holder, UserNamespaceFiles files) {
    long deadline = System.nanoTime() + UNSHARED_WITHIN.toNanos();
    while (!files.inAnotherUserNamespace(holder.pid())) {
      if (!holder.isAlive()) {
        throw new IllegalStateException("could not make a user namespace: " + String.join(" ", HOLDER)
            + " ended at once (see the build log)");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("could not make a user namespace: " + String.join(" ", HOLDER)
            + " was not in one after " + UNSHARED_WITHIN.toSeconds() + " s");
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while making a user namespace", e);
      }
    }
  }
}

package org.imagefoundry.host;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One system command: an argument list (never a shell string), extra environment, a time limit and
 * the exit codes that count as success.
 */
public record Command(List<String> args, Map<String, String> env, Duration timeout, Set<Integer> okExitCodes) {

  /** The library that {@link #withoutFsync} preloads, found by the loader in the system's library path. */
  static final String EATMYDATA = "libeatmydata.so";

  public Command {
    args = List.copyOf(args);
    env = Map.copyOf(env);
    okExitCodes = Set.copyOf(okExitCodes);
  }

  public static Command of(Duration timeout, String... args) {
    return new Command(List.of(args), Map.of(), timeout, Set.of(0));
  }

  public static Command of(Duration timeout, List<String> args) {
    return new Command(args, Map.of(), timeout, Set.of(0));
  }

  public Command withEnv(Map<String, String> extra) {
    var merged = new java.util.HashMap<>(env);
    merged.putAll(extra);
    return new Command(args, merged, timeout, okExitCodes);
  }

  /**
   * This command with libeatmydata preloaded: its fsync and fdatasync return at once. For e2fsprogs on a
   * build's image file: they fsync every image they open, so the first debugfs on a just-copied 185 MB
   * image waited 60-70 ms here for its pages to reach the disk, and resize2fs -M took 95 ms instead of
   * 147 ms. The page cache serves every later read of the file alike, and no build file was ever synced
   * (cp, tar and the publisher do not either). Where the library is missing, the loader warns and the
   * command runs as before, with its fsyncs (scripts/install-prerequisites installs Debian's eatmydata).
   */
  public Command withoutFsync() {
    return withEnv(Map.of("LD_PRELOAD", EATMYDATA));
  }

  public Command okExitCodes(Integer... codes) {
    return new Command(args, env, timeout, Set.of(codes));
  }

  public String program() {
    return args.get(0);
  }

  /** The command as an operator would type it (for logs and error messages only, never executed). */
  public String display() {
    return String.join(" ", args);
  }

  /**
   * {@link #display} with bubblewrap's options (the sandbox's mounts, always the same) shown as one
   * ellipsis, so that an error message, which the engine keeps to 666 characters in an incident, still
   * names the command that ran inside and its arguments. The build's log has the whole command.
   */
  public String summary() {
    int bwrap = args.indexOf("bwrap");
    int separator = bwrap < 0 ? -1 : args.subList(bwrap, args.size()).indexOf("--");
    if (separator <= 1) {
      return display();
    }
    var shown = new java.util.ArrayList<>(args.subList(0, bwrap + 1));
    shown.add("…");
    shown.addAll(args.subList(bwrap + separator, args.size()));
    return String.join(" ", shown);
  }
}

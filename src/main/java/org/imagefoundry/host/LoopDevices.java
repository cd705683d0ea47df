package org.imagefoundry.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/** Loop devices of image files, found by file with {@code losetup -j}, never remembered. */
@Component
public class LoopDevices {

  private final CommandRunner runner;
  private final FoundrySettings settings;

  public LoopDevices(CommandRunner runner, FoundrySettings settings) {
    this.runner = runner;
    this.settings = settings;
  }

  /** The loop device of {@code file}: the one already attached, or a new one. */
  public String attach(Path file) {
    return attach(file, List.of());
  }

  private String attach(Path file, List<String> options) {
    List<String> attached = attachedTo(file);
    if (!attached.isEmpty()) {
      return attached.get(0);
    }
    // --find --show attaches atomically; find-then-attach raced under parallel builds (LP#1506071)
    List<String> args = new ArrayList<>(List.of("losetup", "--find", "--show"));
    args.addAll(options);
    args.add(file.toString());
    return runner.run(command(args.toArray(String[]::new))).lines().get(0).trim();
  }

  /**
   * The loop device of a partitioned {@code file}, with a device node per partition
   * ({@code /dev/loopNpM}): {@code partx --add} tells the kernel of them where its own scan finds none
   * (this machine's kernel reads no GPT). Attached with {@code --partscan}, so that the kernel drops
   * whatever partitions the device still had from an earlier use (partitions added by partx outlive a
   * plain detach, and a stale {@code loopNp3} of another disk's layout would be written at its old
   * offset and size), and drops ours again when it is detached.
   */
  public String attachWithPartitions(Path file) {
    String device = attach(file, List.of("--partscan"));
    if (!Files.exists(Path.of(partition(device, 1)))) {
      runner.run(command("partx", "--add", device));
    }
    return device;
  }

  /** The device node of partition {@code number} of a loop device. */
  public static String partition(String device, int number) {
    return device + "p" + number;
  }

  public List<String> attachedTo(Path file) {
    return runner.run(command("losetup", "--list", "--noheadings", "--output", "NAME", "--associated", file.toString()))
        .lines().stream().map(String::trim).filter(line -> !line.isEmpty()).toList();
  }

  /** Detaches every loop device of {@code file}; nothing to do when none is attached. */
  public void detach(Path file) {
    for (String device : attachedTo(file)) {
      runner.run(command("losetup", "--detach", device));
    }
  }

  private Command command(String... args) {
    return Command.of(settings.timeouts().command(), args);
  }
}

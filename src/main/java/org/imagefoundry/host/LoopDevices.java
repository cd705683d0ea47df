package org.imagefoundry.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.FoundrySettings;
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
    List<String> attached = attachedTo(file);
    if (!attached.isEmpty()) {
      return attached.get(0);
    }
    // --find --show attaches atomically; find-then-attach raced under parallel builds (LP#1506071)
    return runner.run(command("losetup", "--find", "--show", file.toString())).lines().get(0).trim();
  }

  /**
   * The loop device of a partitioned {@code file}, with a device node per partition
   * ({@code /dev/loopNpM}): {@code partx --add} tells the kernel of them, as here no udev rescans them.
   */
  public String attachWithPartitions(Path file) {
    String device = attach(file);
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

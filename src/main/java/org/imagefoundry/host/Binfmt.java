package org.imagefoundry.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The kernel's binfmt_misc handlers: whether this host runs another architecture's programs under qemu-user
 * wherever a build runs them. Only a handler with the F flag does: the kernel opened its emulator when it
 * was registered, so it runs in chroots, mount namespaces and sandboxes that hold no emulator of their own.
 */
@Component
public class Binfmt {

  private final Path directory;

  @Autowired
  public Binfmt() {
    this(Path.of("/proc/sys/fs/binfmt_misc"));
  }

  public Binfmt(Path directory) {
    this.directory = directory;
  }

  /** The handler's file for qemu-user's {@code qemu} name (aarch64, arm, ...). */
  public Path handler(String qemu) {
    return directory.resolve("qemu-" + qemu);
  }

  /** Whether the handler for {@code qemu} is registered, enabled and has the F flag. */
  public boolean runs(String qemu) {
    Path handler = handler(qemu);
    if (!qemu.matches("[a-z0-9_]+") || !Files.isRegularFile(handler)) {
      return false;
    }
    try {
      List<String> lines = Files.readAllLines(handler);
      return lines.contains("enabled")
          && lines.stream().anyMatch(line -> line.startsWith("flags: ") && line.substring(7).contains("F"));
    } catch (IOException e) {
      return false;
    }
  }
}

package org.imagefoundry.imagetree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.springframework.stereotype.Component;

/** A disk's {@code /etc/fstab}: every filesystem and the swap by UUID, so no device name matters. */
@Component
public class Fstab {

  /** One line: a filesystem ({@code mount} "/", "/var", ...) or a swap ({@code mount} null, type swap). */
  public record Entry(String uuid, String mount, String type) {}

  public static String render(List<Entry> entries) {
    StringBuilder text = new StringBuilder("# written by image-foundry: <file system> <mount point> <type> <options> <dump> <pass>\n");
    for (Entry entry : entries) {
      if ("swap".equals(entry.type())) {
        text.append("UUID=").append(entry.uuid()).append(" none swap sw 0 0\n");
      } else {
        boolean root = "/".equals(entry.mount());
        text.append("UUID=").append(entry.uuid()).append(' ').append(entry.mount()).append(' ').append(entry.type())
            .append(root ? " errors=remount-ro 0 1\n" : " defaults 0 2\n");
      }
    }
    return text.toString();
  }

  public void write(Path root, List<Entry> entries) {
    try {
      Files.createDirectories(root.resolve("etc"));
      Files.writeString(root.resolve("etc/fstab"), render(entries));
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the disk's fstab", e);
    }
  }
}

package org.imagefoundry.imagetree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * What makes one machine different from another, taken out of the image so each machine made from it
 * gets its own (fuel-agent left SSH host keys and machine-id in its images), plus the root password.
 */
@Component
public class SystemIdentity {

  /** Writes the hash into root's /etc/shadow entry; never a default password (LP#1537496). */
  public void setRootPasswordHash(Path root, String hash) {
    Path shadow = ChrootFiles.resolve(root, "etc/shadow");
    try {
      Files.writeString(shadow, withRootPasswordHash(Files.readString(shadow), hash));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code shadow} (the content of an /etc/shadow) with {@code hash} in root's entry, nothing else changed. */
  public static String withRootPasswordHash(String shadow, String hash) {
    List<String> lines = shadow.lines().toList();
    if (lines.stream().noneMatch(line -> line.startsWith("root:"))) {
      throw new IllegalStateException("the image's /etc/shadow has no root entry");
    }
    return lines.stream().map(line -> {
      if (!line.startsWith("root:")) {
        return line;
      }
      String[] fields = line.split(":", -1);
      fields[1] = hash;
      return String.join(":", fields);
    }).collect(Collectors.joining("\n", "", "\n"));
  }

  /**
   * Removes SSH host keys and empties machine-id; both are made anew on the machine's first boot. The
   * hostname debootstrap copied from the build host becomes {@code localhost}, as in Debian's cloud images.
   */
  public void forget(Path root) {
    if (ChrootFiles.exists(root, "etc/hostname")) {
      ChrootFiles.write(root, "etc/hostname", "localhost\n");
    }
    Path ssh = ChrootFiles.resolve(root, "etc/ssh");
    if (Files.isDirectory(ssh)) {
      try (Stream<Path> keys = Files.list(ssh)) {
        for (Path key : keys.filter(p -> p.getFileName().toString().startsWith("ssh_host_")).toList()) {
          Files.delete(key);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (ChrootFiles.exists(root, "etc/machine-id")) {
      ChrootFiles.write(root, "etc/machine-id", "");
    }
    Path dbus = root.resolve("var/lib/dbus/machine-id");
    if (Files.isRegularFile(dbus, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      ChrootFiles.delete(root, "var/lib/dbus/machine-id");
    }
  }

  /** Where cloud-init is installed, leave the network to the deployment rather than to cloud-init. */
  public void disableCloudInitNetwork(Path root) {
    if (Files.isDirectory(root.resolve("etc/cloud"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      ChrootFiles.write(root, "etc/cloud/cloud.cfg.d/99-image-foundry-disable-network-config.cfg",
          "network: {config: disabled}\n");
    }
  }
}

package org.imagefoundry.testing;

import java.nio.file.Path;

/**
 * The host's mount namespace, the one an operator starts the service from. scripts/test runs Maven under
 * {@code unshare --mount} and names the process it leaves behind on the host (IMAGEFOUNDRY_HOST_PID); PID 1
 * is not always on the host: where scripts/test is a container's first process, PID 1 is Maven itself.
 */
public final class HostNamespace {

  private HostNamespace() {}

  /** The pid of a process in the host's mount namespace. */
  public static String pid() {
    String pid = System.getenv("IMAGEFOUNDRY_HOST_PID");
    return pid == null || !pid.matches("[1-9][0-9]*") ? "1" : pid;
  }

  /** Its namespace file, for {@code nsenter --mount=}. */
  public static Path mountNamespace() {
    return Path.of("/proc", pid(), "ns/mnt");
  }
}

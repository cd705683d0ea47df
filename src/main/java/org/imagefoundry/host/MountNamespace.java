package org.imagefoundry.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Whether the service's mounts live in a mount namespace of its own. They must: a process on the host
 * that makes a new mount namespace ({@code unshare -m}, systemd's {@code PrivateTmp=}, containers) gets a
 * copy of every mount of the namespace it leaves, and such a copy keeps an image's filesystem alive
 * after the build unmounted it. {@code scripts/service} starts the service under
 * {@code unshare --mount --propagation slave}; a container has a namespace of its own anyway.
 */
@Component
public class MountNamespace {

  private static final Logger LOG = LoggerFactory.getLogger(MountNamespace.class);

  private final Path proc;
  private final long self;
  private final long parent;
  /** Found once, at start: the process that started the service may be gone by the time anyone asks. */
  private final Check check;

  @Autowired
  public MountNamespace() {
    this(Path.of("/proc"), ProcessHandle.current().pid(),
        ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(0L));
  }

  MountNamespace(Path proc, long self, long parent) {
    this.proc = proc;
    this.self = self;
    this.parent = parent;
    this.check = find();
  }

  /** What the check found: whether the namespace is the service's own, and why it says so. */
  public record Check(boolean own, String detail) {}

  /** What {@link #find} found when the service started. */
  public Check check() {
    return check;
  }

  /**
   * Compares this process's mount namespace with PID 1's (the host's, or the container's init). When
   * PID 1's cannot be read (a sandbox may refuse it), with the parent's: the namespace the service was
   * started in. The service that is PID 1 is a container's init: the namespace is the container's.
   */
  private Check find() {
    Optional<String> mine = of(self);
    if (mine.isEmpty()) {
      return new Check(false, "cannot read " + proc.resolve(self + "/ns/mnt"));
    }
    if (self == 1) {
      return new Check(true, "own: the service is PID 1 (a container's init), " + mine.get());
    }
    Optional<String> init = of(1);
    if (init.isPresent()) {
      return mine.equals(init)
          ? new Check(false, "shared with PID 1 (" + mine.get() + "): the host's mount table holds the build's mounts")
          : new Check(true, "own: " + mine.get() + ", PID 1 has " + init.get());
    }
    Optional<String> starter = parent > 0 ? of(parent) : Optional.empty();
    if (starter.isEmpty()) {
      return new Check(false, "unknown: neither PID 1's nor the parent's mount namespace can be read");
    }
    return mine.equals(starter)
        ? new Check(false, "shared with the process that started the service (pid " + parent + ", " + mine.get()
            + "; PID 1's cannot be read): its mount table holds the build's mounts")
        : new Check(true, "own: " + mine.get() + ", the process that started the service (pid " + parent + ") has "
            + starter.get() + " (PID 1's cannot be read)");
  }

  @EventListener(ApplicationStartedEvent.class)
  public void warnUnlessOwn() {
    if (check.own()) {
      LOG.info("mount namespace: {}", check.detail());
      return;
    }
    LOG.warn("THE SERVICE SHARES ITS MOUNT NAMESPACE ({}). Any process that makes a new mount namespace meanwhile"
        + " (unshare -m, PrivateTmp=, containers) copies the builds' mounts and keeps their filesystems alive after"
        + " unmount; such builds then stop in an incident before shrinkImages. Start the service with scripts/service,"
        + " which runs it under unshare --mount --propagation slave.", check.detail());
  }

  private Optional<String> of(long pid) {
    try {
      return Optional.of(Files.readSymbolicLink(proc.resolve(pid + "/ns/mnt")).toString());
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }
}

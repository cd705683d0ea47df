package org.imagefoundry.monitoring;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.host.Binfmt;
import org.imagefoundry.host.FreeSpace;
import org.imagefoundry.host.MountNamespace;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.spec.Architecture;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * Whether this host can build: the tools the build runs are on the PATH, loop devices can be made, and
 * the build root has more than {@code image-foundry.health.min-free-space} free. Reported as
 * {@code buildHost} in /actuator/health, next to Camunda's process engine and job executor. Whether the
 * service has a mount namespace of its own is a detail: without one builds still run, but another
 * process's new mount namespace can hold their filesystems (and stop them in an incident). The
 * architectures it can build images for are a detail too: its own, and those it runs under qemu-user.
 */
@Component("buildHost")
public class BuildHostHealth implements HealthIndicator {

  private static final List<Path> PATH = List.of(Path.of("/usr/local/sbin"), Path.of("/usr/local/bin"),
      Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/sbin"), Path.of("/bin"));

  private final FoundrySettings settings;
  private final FreeSpace freeSpace;
  private final MountNamespace mountNamespace;
  private final Binfmt binfmt;
  private final Path loopControl = Path.of("/dev/loop-control");

  public BuildHostHealth(FoundrySettings settings, FreeSpace freeSpace, MountNamespace mountNamespace, Binfmt binfmt) {
    this.settings = settings;
    this.freeSpace = freeSpace;
    this.mountNamespace = mountNamespace;
    this.binfmt = binfmt;
  }

  /** The architectures this host builds for: its own, then the others it runs under emulation. */
  List<String> architectures() {
    return Architecture.ALL.values().stream().filter(a -> a.isNative() || binfmt.runs(a.qemu()))
        .map(a -> a.isNative() ? a.name() + " (native)" : a.name() + " (qemu-user)").toList();
  }

  @Override
  public Health health() {
    List<String> missing = settings.health().requiredTools().stream().filter(tool -> !onPath(tool)).toList();
    boolean loops = Files.exists(loopControl);
    long free = freeSpace.inBuildRoot();
    DataSize minFree = settings.health().minFreeSpace();
    var health = missing.isEmpty() && loops && free >= minFree.toBytes() ? Health.up() : Health.down();
    if (!missing.isEmpty()) {
      health.withDetail("missingTools", missing);
    }
    if (!loops) {
      health.withDetail("loopDevices", "no " + loopControl + ": loop devices cannot be made (run privileged, with /dev)");
    }
    if (free < minFree.toBytes()) {
      health.withDetail("freeSpace", "only " + DataSize.ofBytes(free).toMegabytes() + " MB free in " + settings.buildRoot()
          + ", less than image-foundry.health.min-free-space " + minFree);
    }
    return health.withDetail("mountNamespace", mountNamespace.check().detail())
        .withDetail("architectures", architectures())
        .withDetail("buildRoot", settings.buildRoot().toString())
        .withDetail("freeBytes", free).build();
  }

  private static boolean onPath(String tool) {
    return PATH.stream().anyMatch(dir -> Files.isExecutable(dir.resolve(tool)));
  }
}

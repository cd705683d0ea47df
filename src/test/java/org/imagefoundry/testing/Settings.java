package org.imagefoundry.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.util.unit.DataSize;

/** FoundrySettings for unit tests, with the defaults of application.yaml. */
public final class Settings {

  private Settings() {}

  public static FoundrySettings defaults() {
    return with(Path.of("/var/lib/image-foundry/build"), List.of(Path.of("/var/lib/image-foundry/images")));
  }

  public static FoundrySettings with(Path buildRoot, List<Path> outputRoots) {
    return new FoundrySettings(buildRoot, Path.of("/var/lib/image-foundry/data"), outputRoots, null, "test-node",
        "R3/PT20S", Duration.ofHours(24), List.of(),
        new FoundrySettings.Timeouts(Duration.ofMinutes(10), Duration.ofMinutes(45), Duration.ofMinutes(60),
            Duration.ofMinutes(60), Duration.ofSeconds(30)),
        new FoundrySettings.Limits(DataSize.ofGigabytes(64), DataSize.ofGigabytes(256), 16, 32, 1000, 64),
        new FoundrySettings.Cache(true, DataSize.ofGigabytes(8), DataSize.ofGigabytes(2), true, Duration.ZERO, false), null, true,
        new FoundrySettings.Health(List.of("tar"), DataSize.ofMegabytes(1)), new FoundrySettings.Admin("admin", null), List.of());
  }

  /** The defaults, with a data directory under {@code dir} (its build root beside it) and these caches. */
  public static FoundrySettings withCache(Path dir, FoundrySettings.Cache cache) {
    FoundrySettings d = defaults();
    return new FoundrySettings(dir.resolve("build"), dir.resolve("data"), List.of(), null, "n", "R1/PT1S",
        d.incidentTimeout(), List.of(), d.timeouts(), d.limits(), cache, null, true, d.health(), d.admin(), List.of());
  }
}

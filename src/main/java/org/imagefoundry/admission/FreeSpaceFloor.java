package org.imagefoundry.admission;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.imagefoundry.host.FreeSpace;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * {@code image-foundry.quotas.min-free-space}: a new build is refused (507) while the build root or an
 * output root has less free space. A build served from the image store writes its images in a second or
 * two, so without a floor one user fills the disk in minutes. Only an admin is told which directory.
 */
@Component
public class FreeSpaceFloor {

  private final FoundrySettings settings;
  private final QuotaSettings quotas;

  public FreeSpaceFloor(FoundrySettings settings, QuotaSettings quotas) {
    this.settings = settings;
    this.quotas = quotas;
  }

  /** The first directory below the floor, with its free space; empty when every one is above it. */
  public Optional<String> below() {
    List<Path> directories = new ArrayList<>();
    directories.add(settings.buildRoot());
    directories.addAll(settings.allowedOutputRoots());
    long floor = quotas.minFreeSpace().toBytes();
    for (Path directory : directories) {
      long free = FreeSpace.in(directory);
      if (free < floor) {
        return Optional.of(directory + " has " + DataSize.ofBytes(free).toMegabytes() + " MB free");
      }
    }
    return Optional.empty();
  }

  public void check(boolean admin) {
    below().ifPresent(where -> {
      String detail = "this build host is short of disk space for new builds; try again later";
      throw new AdmissionRefused(507, "Insufficient storage", admin ? detail + " (" + where
          + ", image-foundry.quotas.min-free-space is " + quotas.minFreeSpace() + ")" : detail, quotas.retryAfter());
    });
  }
}

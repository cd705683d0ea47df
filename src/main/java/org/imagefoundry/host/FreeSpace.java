package org.imagefoundry.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/** Free space in the build root, where the sparse files grow as the images fill. */
@Component
public class FreeSpace {

  private final FoundrySettings settings;

  public FreeSpace(FoundrySettings settings) {
    this.settings = settings;
  }

  public long inBuildRoot() {
    return in(settings.buildRoot());
  }

  /** Free space of the file system that holds {@code directory} (or its nearest existing parent). */
  public static long in(Path directory) {
    Path existing = directory.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    try {
      return existing == null ? 0 : Files.getFileStore(existing).getUsableSpace();
    } catch (IOException e) {
      return 0;
    }
  }

  public boolean isLow() {
    return inBuildRoot() < settings.health().minFreeSpace().toBytes();
  }

  /** A build that cannot have the space it needs ends at once, with a clear error, rather than halfway. */
  public void require() {
    if (isLow()) {
      throw new BuildFailure("no space left in the build root " + settings.buildRoot() + ": "
          + DataSize.ofBytes(inBuildRoot()).toMegabytes() + " MB free, image-foundry.health.min-free-space is "
          + settings.health().minFreeSpace());
    }
  }
}

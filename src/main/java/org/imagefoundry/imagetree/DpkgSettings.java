package org.imagefoundry.imagetree;

import java.nio.file.Path;
import org.springframework.stereotype.Component;

/** dpkg's unsafe I/O during the build: no fsync per file; removed before the image is finished. */
@Component
public class DpkgSettings {

  static final String FILE = "etc/dpkg/dpkg.cfg.d/image-foundry-unsafe-io";

  public void useUnsafeIo(Path root) {
    ChrootFiles.write(root, FILE, "# written by image-foundry for the build only\nforce-unsafe-io\n");
  }

  public void removeBuildSettings(Path root) {
    ChrootFiles.delete(root, FILE);
  }
}

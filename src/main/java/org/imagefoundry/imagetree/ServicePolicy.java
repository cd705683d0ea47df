package org.imagefoundry.imagetree;

import java.nio.file.Path;
import org.springframework.stereotype.Component;

/** usr/sbin/policy-rc.d answering 101, so no package starts a service inside the chroot. */
@Component
public class ServicePolicy {

  static final String FILE = "usr/sbin/policy-rc.d";

  public void forbidServices(Path root) {
    ChrootFiles.writeExecutable(root, FILE, "#!/bin/sh\n# written by image-foundry for the build only\nexit 101\n");
  }

  public void allowServices(Path root) {
    ChrootFiles.delete(root, FILE);
  }
}

package org.imagefoundry.host;

import java.nio.file.Path;
import java.util.List;

/** The kernel's table of mounts, as this process sees it. */
public interface MountTable {

  /** Mount points in the order they were mounted. */
  List<Path> mountPoints();
}

package org.imagefoundry.host;

import java.nio.file.Path;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/** dd and qemu-img: filesystem images onto a disk's partitions, and the disk into its format. */
@Component
public class DiskImages {

  private final CommandRunner runner;
  private final FoundrySettings settings;

  public DiskImages(CommandRunner runner, FoundrySettings settings) {
    this.runner = runner;
    this.settings = settings;
  }

  /** Copies a filesystem image onto a partition; its holes stay unwritten (the disk file is fresh). */
  public void copy(Path image, String partition) {
    runner.run(Command.of(settings.timeouts().publish(), "dd", "if=" + image, "of=" + partition, "bs=4M",
        "conv=sparse,fsync", "status=none"));
  }

  /** {@code raw} converted to {@code format} (qcow2) at {@code target}. */
  public void convert(Path raw, String format, Path target) {
    runner.run(Command.of(settings.timeouts().publish(), "qemu-img", "convert", "-f", "raw", "-O", format,
        raw.toString(), target.toString()));
  }
}

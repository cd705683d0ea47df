package org.imagefoundry.host;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/** sfdisk: writes a disk file's partition table from a script. */
@Component
public class PartitionTables {

  private final CommandRunner runner;
  private final FoundrySettings settings;

  public PartitionTables(CommandRunner runner, FoundrySettings settings) {
    this.runner = runner;
    this.settings = settings;
  }

  /** Writes {@code script} (sfdisk's input) as the table of {@code disk}, replacing any earlier one. */
  public void write(Path disk, String script) {
    runner.pipe(Command.of(settings.timeouts().command(), "sfdisk", "--quiet", "--wipe", "always", disk.toString()),
        new ByteArrayInputStream(script.getBytes(StandardCharsets.US_ASCII)), OutputStream.nullOutputStream());
  }
}

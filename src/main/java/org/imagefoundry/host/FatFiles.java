package org.imagefoundry.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/**
 * mtools: files into a FAT filesystem (the EFI system partition) without mounting it, so nothing is
 * left mounted and the build host's kernel needs no vfat.
 */
@Component
public class FatFiles {

  private final CommandRunner runner;
  private final FoundrySettings settings;

  public FatFiles(CommandRunner runner, FoundrySettings settings) {
    this.runner = runner;
    this.settings = settings;
  }

  /** Copies everything under {@code tree} into the root of the FAT filesystem on {@code device}, overwriting. */
  public void copyTree(Path tree, String device) {
    List<String> args = new ArrayList<>(List.of("mcopy", "-i", device, "-s", "-o", "-Q"));
    try (Stream<Path> entries = Files.list(tree)) {
      entries.sorted().forEach(entry -> args.add(entry.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException("could not list " + tree, e);
    }
    args.add("::/");
    runner.run(Command.of(settings.timeouts().command(), args));
  }
}

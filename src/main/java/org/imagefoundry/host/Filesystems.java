package org.imagefoundry.host;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.imagefoundry.rules.MkfsOptions;
import org.imagefoundry.rules.Problem;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/** mkfs, blkid and tune2fs (and mkswap and mkfs.vfat for a disk's swap and EFI system partition). */
@Component
public class Filesystems {

  private final CommandRunner runner;
  private final FoundrySettings settings;

  public Filesystems(CommandRunner runner, FoundrySettings settings) {
    this.runner = runner;
    this.settings = settings;
  }

  /**
   * Makes a fresh filesystem, overwriting whatever a previous attempt left on the device. The options are
   * checked once more against the allow-list: none may name a file, a directory or another device.
   */
  public void make(String device, String format, List<String> options, String label) {
    List<Problem> refused = MkfsOptions.check(format, options, "options");
    if (!refused.isEmpty()) {
      throw new IllegalArgumentException("mkfs." + format + " options refused: " + refused.stream()
          .map(p -> p.field() + " " + p.message()).collect(java.util.stream.Collectors.joining("; ")));
    }
    List<String> args = new ArrayList<>(List.of("mkfs." + format));
    args.add(isExt(format) ? "-F" : "-f");
    args.addAll(options);
    if (label != null) {
      args.addAll(List.of("-L", label));
    }
    args.add(device);
    runner.run(Command.of(settings.timeouts().command(), args));
  }

  /** The filesystem type blkid probes on the device, so a silent mkfs failure is caught (LP#1550227). */
  public String probe(String device) {
    var result = runner.run(command("blkid", "--probe", "--match-tag", "TYPE", "--output", "value", device).okExitCodes(0, 2));
    return result.lines().isEmpty() ? "" : result.lines().get(0).trim();
  }

  /** Without a journal dpkg's many fsyncs cost far less: fuel-agent halved its build time so. */
  public void disableJournal(String device, String format) {
    if (hasJournal(format)) {
      runner.run(command("tune2fs", "-O", "^has_journal", device));
    }
  }

  /** On the unmounted image file, without tune2fs's fsync ({@link Command#withoutFsync}): see {@link #buildMountOptions}. */
  public void enableJournal(Path image, String format) {
    if (hasJournal(format)) {
      runner.run(command("tune2fs", "-O", "has_journal", image.toString()).withoutFsync());
    }
  }

  /**
   * The mount options of an image's filesystem while it is built: ext3 and ext4 (their journal off then)
   * without write barriers. With them every sync of the filesystem, its unmount's included, sent the loop
   * device a flush, which fsyncs the whole image file: unmounting after one package more took 150-175 ms
   * here, without barriers 90 ms. The e2fsprogs that then open the image file must not fsync it either
   * ({@link #enableJournal}, {@link ImageShrinker}), or the first waits for what the unmount no longer
   * wrote (tune2fs took 74 ms instead of 2). A crash of the service loses nothing (the page cache keeps
   * every write); a filesystem without its journal is not consistent after a crash of the host, barriers or
   * not.
   */
  public static List<String> buildMountOptions(String format) {
    return hasJournal(format) ? List.of("nobarrier") : List.of();
  }

  public static boolean isExt(String format) {
    return format.startsWith("ext");
  }

  private static boolean hasJournal(String format) {
    return format.equals("ext3") || format.equals("ext4");
  }

  private Command command(String... args) {
    return Command.of(settings.timeouts().command(), args);
  }

  /** The filesystem's (or swap's) UUID, read from the device itself. */
  public String uuid(String device) {
    return runner.run(command("blkid", "--probe", "--match-tag", "UUID", "--output", "value", device)).lines().get(0).trim();
  }

  /** Checks an ext filesystem copied onto a larger partition, then grows it to fill the partition. */
  public void grow(String device) {
    // exit code 1: e2fsck corrected something, which after a plain copy is only the free-block count
    runner.run(command("e2fsck", "-f", "-y", device).okExitCodes(0, 1));
    runner.run(command("resize2fs", device));
  }

  public void makeSwap(String device) {
    runner.run(command("mkswap", device));
  }

  /** The EFI system partition's filesystem: FAT32, which every UEFI firmware reads. */
  public void makeEfiSystem(String device) {
    runner.run(command("mkfs.vfat", "-F", "32", "-n", "EFI", device));
  }
}

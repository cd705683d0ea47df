package org.imagefoundry.host;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/**
 * A directory tree packed into, and unpacked from, a tar with owners, modes, xattrs and ACLs, plain or
 * zstd-compressed as the archive's name says ({@code .tar} or {@code .tar.zst}); or copied as it is into
 * another directory.
 */
@Component
public class TreeArchives {

  /**
   * zstd reads these from its environment: all cores, level 1. A tree is packed while its build waits:
   * level 1 packs a bookworm minbase in about four fifths of level 3's time, into an archive about a fifth
   * larger, and unpacks as fast.
   */
  private static final Map<String, String> ZSTD = Map.of("ZSTD_NBTHREADS", "0", "ZSTD_CLEVEL", "1");

  private final CommandRunner runner;
  private final FoundrySettings settings;

  public TreeArchives(CommandRunner runner, FoundrySettings settings) {
    this.runner = runner;
    this.settings = settings;
  }

  /** Packs everything under {@code root} (across the build's mounts), except lost+found directories. */
  public void pack(Path root, Path archive) {
    pack(root, archive, List.of());
  }

  /** {@link #pack(Path, Path)}, leaving out also the members that match one of {@code excludes} (tar's patterns). */
  public void pack(Path root, Path archive, List<String> excludes) {
    List<String> args = new ArrayList<>(List.of("tar", "--create"));
    args.addAll(compression(archive));
    args.addAll(List.of("--file", archive.toString(), "--directory", root.toString(), "--numeric-owner", "--xattrs",
        "--xattrs-include=*", "--acls", "--exclude=./lost+found", "--exclude=lost+found"));
    excludes.forEach(pattern -> args.add("--exclude=" + pattern));
    args.add(".");
    runner.run(Command.of(settings.timeouts().publish(), args).withEnv(ZSTD));
  }

  /**
   * Copies everything under {@code from} into the directory {@code to} (which may hold mount points: what
   * lies under one goes into its filesystem), with owners, modes, times, hard links, xattrs and ACLs
   * ({@code cp --archive}); symbolic links are copied as links, never followed.
   */
  public void copy(Path from, Path to) {
    runner.run(Command.of(settings.timeouts().publish(), "cp", "--archive", "--no-target-directory", "--",
        from.toString(), to.toString()));
  }

  /**
   * Unpacks into {@code root}. A truncated archive fails here (tar's end of archive is missing), and a
   * zstd-compressed one fails on any damage (zstd's checksum), rather than yield a broken tree.
   */
  public void unpack(Path archive, Path root) {
    List<String> args = new ArrayList<>(List.of("tar", "--extract"));
    args.addAll(compression(archive));
    args.addAll(List.of("--file", archive.toString(), "--directory", root.toString(), "--numeric-owner",
        "--preserve-permissions", "--xattrs", "--xattrs-include=*", "--acls"));
    runner.run(Command.of(settings.timeouts().publish(), args).withEnv(ZSTD));
  }

  /** tar's option for the archive's compression, from its name: zstd for {@code .zst}, none for {@code .tar}. */
  static List<String> compression(Path archive) {
    String name = archive.getFileName().toString();
    if (name.endsWith(".tar.zst")) {
      return List.of("--zstd");
    }
    if (name.endsWith(".tar")) {
      return List.of();
    }
    throw new IllegalArgumentException("not a .tar or .tar.zst: " + archive);
  }
}

package org.imagefoundry.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/** mount and umount; what is mounted is read from the kernel's mount table, never remembered. */
@Component
public class Mounts {

  private final CommandRunner runner;
  private final MountTable table;
  private final FoundrySettings settings;

  public Mounts(CommandRunner runner, MountTable table, FoundrySettings settings) {
    this.runner = runner;
    this.table = table;
    this.settings = settings;
  }

  /** Mounts a filesystem unless something is already mounted there. */
  public void mount(String device, String fsType, Path target) {
    mount(device, fsType, target, List.of());
  }

  /** Mounts a filesystem with these options ({@code -o}) unless something is already mounted there. */
  public void mount(String device, String fsType, Path target, List<String> options) {
    if (isMounted(target)) {
      return;
    }
    createDirectory(target);
    List<String> args = new ArrayList<>(List.of("mount", "-t", fsType));
    if (!options.isEmpty()) {
      args.addAll(List.of("-o", String.join(",", options)));
    }
    args.addAll(List.of(device, target.toString()));
    runner.run(command(args.toArray(String[]::new)));
  }

  /**
   * A tmpfs at {@code target} of at most {@code bytes} (only what is written takes memory, and it may be
   * swapped), unless something is already mounted there.
   */
  public void mountMemory(Path target, long bytes) {
    if (isMounted(target)) {
      return;
    }
    createDirectory(target);
    runner.run(command("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0755", "tmpfs", target.toString()));
  }

  /** Bind-mounts {@code source} (not recursively) and keeps later mounts from propagating to the host. */
  public void bind(Path source, Path target) {
    bind(source, target, List.of());
  }

  /** Bind-mounts {@code source} read-only, private as {@link #bind}. */
  public void bindReadOnly(Path source, Path target) {
    bind(source, target, List.of("-o", "ro"));
  }

  private void bind(Path source, Path target, List<String> options) {
    if (isMounted(target)) {
      return;
    }
    createDirectory(target);
    List<String> args = new ArrayList<>(List.of("mount", "--bind"));
    args.addAll(options);
    args.addAll(List.of(source.toString(), target.toString()));
    runner.run(command(args.toArray(String[]::new)));
    runner.run(command("mount", "--make-private", target.toString()));
  }

  public boolean isMounted(Path path) {
    Path normal = path.toAbsolutePath().normalize();
    return table.mountPoints().contains(normal);
  }

  /** Mount points at or under {@code root}, deepest first; at equal depth the last mounted first. */
  public List<Path> under(Path root) {
    Path normal = root.toAbsolutePath().normalize();
    List<Path> found = new ArrayList<>(table.mountPoints().stream().filter(p -> p.startsWith(normal)).distinct().toList());
    Collections.reverse(found);
    found.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    return found;
  }

  /** Unmounts {@code path} if mounted; never lazily: a lazy umount hid busy mounts (LP#1454366). */
  public void unmount(Path path) {
    // a mount point can hold stacked mounts: unmount until none is left
    for (int stacked = 0; stacked < 8 && isMounted(path); stacked++) {
      runner.run(command("umount", path.toString()));
    }
  }

  /** Unmounts everything at or under {@code root}, deepest first. */
  public void unmountAll(Path root) {
    for (Path mountPoint : under(root)) {
      unmount(mountPoint);
    }
  }

  /** fuel-agent's mount order: by number of path components, stable, so "/" comes before "/var". */
  public static List<String> shallowestFirst(List<String> mountPoints) {
    return mountPoints.stream().filter(m -> m.startsWith("/")).sorted(Comparator.comparingInt(Mounts::depth)).toList();
  }

  /** fuel-agent's unmount order: by number of path components, deepest first, stable among equals. */
  public static List<String> deepestFirst(List<String> mountPoints) {
    return mountPoints.stream().filter(m -> m.startsWith("/"))
        .sorted(Comparator.comparingInt(Mounts::depth).reversed()).toList();
  }

  private static int depth(String mountPoint) {
    String trimmed = mountPoint.replaceAll("/+$", "");
    return (int) trimmed.chars().filter(c -> c == '/').count();
  }

  private static void createDirectory(Path target) {
    try {
      Files.createDirectories(target);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Command command(String... args) {
    return Command.of(settings.timeouts().command(), args);
  }
}

package org.imagefoundry.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/** debootstrap into a mounted target, its package scripts in the {@link Sandbox}. */
@Component
public class Debootstrapper {

  /** What debootstrap needs: the suite's mirror, how to check its signature, what to add. */
  public record Options(String suite, String mirror, String arch, String variant, List<String> include,
      Path keyring, boolean trusted, Map<String, String> proxyEnv) {}

  private final CommandRunner runner;
  private final Sandbox sandbox;
  private final FoundrySettings settings;

  public Debootstrapper(CommandRunner runner, Sandbox sandbox, FoundrySettings settings) {
    this.runner = runner;
    this.sandbox = sandbox;
    this.settings = settings;
  }

  /**
   * The first stage (download, signature check, unpack: no package script runs) on the host, then the
   * second stage, which runs the base packages' maintainer scripts, inside the tree in the
   * {@link Sandbox}. {@code container=lxc} is how debootstrap learns that /proc and /dev are provided
   * and that it must not test mknod, which the sandbox does not allow.
   */
  public void run(Path root, Options options) {
    List<String> args = new ArrayList<>(List.of("debootstrap", "--foreign"));
    if (options.variant() != null) {
      args.add("--variant=" + options.variant());
    }
    args.add("--include=" + String.join(",", options.include()));
    args.add("--arch=" + options.arch());
    // fuel-agent used --no-check-gpg; we verify the Release signature unless the repo is marked trusted
    args.add(options.trusted() ? "--no-check-gpg" : "--keyring=" + options.keyring());
    args.addAll(List.of(options.suite(), root.toString(), options.mirror()));
    runner.run(Command.of(settings.timeouts().debootstrap(), args).withEnv(options.proxyEnv())
        .withEnv(Map.of("WGETRC", noRedirects(root).toString())));
    replaceProcLink(root);
    sandbox.run(root, Command.of(settings.timeouts().debootstrap(), "/debootstrap/debootstrap", "--second-stage")
        .withEnv(options.proxyEnv()).withEnv(Map.of("container", "lxc")));
    removeDownloadedPackages(root);
  }

  /** The first stage leaves /proc a link to the host's; the sandbox mounts its own proc on a directory there. */
  void replaceProcLink(Path root) {
    Path proc = root.resolve("proc");
    try {
      if (Files.isSymbolicLink(proc)) {
        Files.delete(proc);
      }
      Files.createDirectories(proc);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A wgetrc beside the target that forbids redirects: the mirror's host was checked against
   * image-foundry.allowed-repo-hosts, and debootstrap's wget must not be sent to another.
   */
  static Path noRedirects(Path root) {
    Path wgetrc = root.toAbsolutePath().getParent().resolve("wgetrc");
    try {
      Files.writeString(wgetrc, "# written by image-foundry: debootstrap follows no redirect\nmax_redirect = 0\n");
      return wgetrc;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + wgetrc, e);
    }
  }

  /**
   * debootstrap leaves the packages it installed in the target's apt cache; they go, as apt-get clean
   * would have them go, so neither the base-tree cache nor the image carries them (the build's own apt
   * cache is a bind mount over that directory later, where apt-get clean cannot see them).
   */
  void removeDownloadedPackages(Path root) {
    Path archives = root.resolve("var/cache/apt/archives");
    if (!Files.isDirectory(archives, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var debs = Files.list(archives)) {
      for (Path deb : debs.filter(p -> p.getFileName().toString().endsWith(".deb")).toList()) {
        Files.delete(deb);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Empties the target so an interrupted debootstrap starts again on a clean filesystem: deletes
   * everything under {@code root} except the mount points in {@code keep} and lost+found. Symbolic
   * links are removed, never followed.
   */
  public void clearTarget(Path root, Set<Path> keep) {
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          return dir.getFileName().toString().equals("lost+found") ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
          if (failure != null) {
            throw failure;
          }
          if (!dir.equals(root) && !keep.contains(dir)) {
            Files.delete(dir);
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("could not clear " + root, e);
    }
  }

  /** True when the target holds nothing but mount points and lost+found: nothing to clear. */
  public boolean isEmpty(Path root, Set<Path> keep) {
    try (var entries = Files.walk(root)) {
      return entries.allMatch(p -> p.equals(root) || keep.contains(p) || p.toString().contains("/lost+found"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

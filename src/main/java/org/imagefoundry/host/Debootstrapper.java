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

/**
 * The base system into a mounted target: mmdebstrap, which downloads with apt (parallel, pipelined) and
 * unpacks and configures with dpkg, every package script among them, in the {@link Sandbox}.
 */
@Component
public class Debootstrapper {

  /** What the bootstrap needs: the suite's mirror, how to check its signature, what to add. */
  public record Options(String suite, String mirror, String arch, String variant, List<String> include,
      Path keyring, boolean trusted, Map<String, String> proxyEnv) {}

  /**
   * apt's messages for a Release file whose signature does not verify: no retry can change that, so the
   * build fails (and does not wait in an incident).
   */
  static final List<String> BAD_SIGNATURE = List.of("GPG error", "is not signed", "NO_PUBKEY", "BADSIG",
      "EXPKEYSIG", "REVKEYSIG", "signatures couldn't be verified", "signature verification failed");

  private final CommandRunner runner;
  private final Sandbox sandbox;
  private final FoundrySettings settings;

  public Debootstrapper(CommandRunner runner, Sandbox sandbox, FoundrySettings settings) {
    this.runner = runner;
    this.sandbox = sandbox;
    this.settings = settings;
  }

  /**
   * mmdebstrap, run as the root of a user namespace of its own beside the target ({@link Sandbox#runBeside}):
   * its apt checks the Release signature with the keyring (unless the repo is marked trusted) and
   * downloads in parallel, following no redirect (the mirror's host was checked against
   * image-foundry.allowed-repo-hosts); its dpkg runs chrooted in the target. It mounts nothing (it has no
   * CAP_SYS_ADMIN there): the sandbox gives the target its /proc and devices. The target already holds this
   * service's policy-rc.d and dpkg's unsafe I/O, which mmdebstrap keeps.
   */
  public void run(Path root, Options options) {
    List<Path> readOnly = new ArrayList<>();
    if (!options.trusted()) {
      readOnly.add(options.keyring());
    }
    if (options.mirror().startsWith("file:")) {
      readOnly.add(Path.of(java.net.URI.create(options.mirror())));
    }
    try {
      sandbox.runBeside(root, readOnly, Command.of(settings.timeouts().debootstrap(), arguments(root, options))
          .withEnv(options.proxyEnv()));
    } catch (CommandFailedException e) {
      String reason = e.tail().stream().filter(line -> BAD_SIGNATURE.stream().anyMatch(line::contains)).findFirst()
          .orElse(null);
      if (reason != null) {
        throw new BuildFailure("the Release file of suite " + options.suite() + " of repo " + options.mirror()
            + " has no valid signature by a key in " + options.keyring() + ": " + reason.strip(), e);
      }
      throw e;
    }
    removeDownloadedPackages(root);
  }

  /** mmdebstrap's arguments, as they run in the sandbox. */
  static List<String> arguments(Path root, Options options) {
    List<String> args = new ArrayList<>(List.of("mmdebstrap", "--mode=root"));
    if (options.variant() != null) {
      args.add("--variant=" + options.variant());
    }
    args.add("--include=" + String.join(",", options.include()));
    args.add("--architectures=" + options.arch());
    // fuel-agent used --no-check-gpg; we verify the Release signature unless the repo is marked trusted
    if (!options.trusted()) {
      args.add("--keyring=" + options.keyring());
    }
    args.addAll(List.of("--aptopt=Acquire::http::AllowRedirect \"false\"",
        "--aptopt=Acquire::https::AllowRedirect \"false\"",
        // the target holds the build's mount points and policy-rc.d; the sandbox mounts /proc and /dev; another
        // architecture's programs run through the host's binfmt_misc handler with the F flag, which the
        // request's check found (mmdebstrap's own check wants arch-test, and a qemu in the tree without it)
        "--skip=check/empty,chroot/mount,chroot/policy-rc.d,check/qemu",
        options.suite(), root.toString()));
    // the tree's sources.list is the build's own later (AptSettings): this line serves the bootstrap only
    args.add(options.trusted() ? "deb [trusted=yes] " + options.mirror() + " " + options.suite() + " main"
        : options.mirror());
    return args;
  }

  /**
   * A bootstrap may leave the packages it installed in the target's apt cache (mmdebstrap cleans them,
   * debootstrap did not); they go, as apt-get clean would have them go, so neither the base-tree cache nor the image carries them (the build's own apt
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

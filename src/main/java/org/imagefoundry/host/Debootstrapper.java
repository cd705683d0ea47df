package org.imagefoundry.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
  }

  /**
   * mmdebstrap's own hooks that make /usr merged from the start, as debootstrap does: bin, sbin and lib are
   * links into /usr before anything is unpacked, and the archive's usr-is-merged satisfies what asks for
   * a merged /usr. Without them apt picks usrmerge, which converts the tree after the fact and brings perl
   * with it (7 packages more; the bootstrap took 16.0 s against 14.6 s here).
   */
  static final String MERGED_USR_HOOKS = "/usr/share/mmdebstrap/hooks/merged-usr";
  /** Suites whose archive has no usr-is-merged, which the hooks install: they bootstrap as they always did. */
  static final Set<String> SEPARATE_USR_SUITES = Set.of("jessie", "stretch", "buster", "bullseye",
      "xenial", "bionic", "focal", "jammy");

  /** mmdebstrap's arguments, as they run in the sandbox. */
  static List<String> arguments(Path root, Options options) {
    List<String> args = new ArrayList<>(List.of("mmdebstrap", "--mode=root"));
    if (options.variant() != null) {
      args.add("--variant=" + options.variant());
    }
    args.add("--include=" + String.join(",", options.include()));
    args.add("--architectures=" + options.arch());
    if (!SEPARATE_USR_SUITES.contains(options.suite())) {
      args.add("--hook-dir=" + MERGED_USR_HOOKS);
    }
    // fuel-agent used --no-check-gpg; we verify the Release signature unless the repo is marked trusted
    if (!options.trusted()) {
      args.add("--keyring=" + options.keyring());
    }
    args.addAll(List.of("--aptopt=Acquire::http::AllowRedirect \"false\"",
        "--aptopt=Acquire::https::AllowRedirect \"false\"",
        // the target holds the build's mount points and policy-rc.d; the sandbox mounts /proc and /dev; another
        // architecture's programs run through the host's binfmt_misc handler with the F flag, which the
        // request's check found (mmdebstrap's own check wants arch-test, and a qemu in the tree without it);
        // the downloaded packages and the signed lists that vouch for them stay for the package pool
        // (removeDownloadedPackages takes the packages out after), the lists for installPackages' apt
        "--skip=check/empty,chroot/mount,chroot/policy-rc.d,check/qemu,essential/unlink,cleanup/apt/lists,cleanup/apt/cache",
        options.suite(), root.toString()));
    // the tree's sources.list is the build's own later (AptSettings): this line serves the bootstrap only
    args.add(options.trusted() ? "deb [trusted=yes] " + options.mirror() + " " + options.suite() + " main"
        : options.mirror());
    return args;
  }

  /**
   * What mmdebstrap's cleanup removes of apt's cache, which it skipped so that the package pool could take
   * the packages first: the downloaded packages and apt's binary caches, so neither the base-tree cache
   * nor the image carries them. The lists it fetched stay for installPackages' apt-get update, which then
   * only asks whether they changed (the caches leave them out, postInstall removes them from the image).
   * Links are removed, never followed.
   */
  public void removeDownloadedPackages(Path root) {
    try {
      empty(root.resolve("var/cache/apt/archives"), Set.of("lock", "partial"));
      empty(root.resolve("var/cache/apt/archives/partial"), Set.of());
      Files.deleteIfExists(root.resolve("var/cache/apt/pkgcache.bin"));
      Files.deleteIfExists(root.resolve("var/cache/apt/srcpkgcache.bin"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes what {@code dir} holds but the names in {@code keep}; nothing when it is not a directory. */
  private static void empty(Path dir, Set<String> keep) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var entries = Files.list(dir)) {
      for (Path entry : entries.filter(p -> !keep.contains(p.getFileName().toString())).toList()) {
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          empty(entry, Set.of());
        }
        Files.delete(entry);
      }
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

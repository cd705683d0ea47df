package org.imagefoundry.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  /** A package file the bootstrap needs: where its apt fetches it, its name in archives/ and its size. */
  public record PackageFile(URI uri, String fileName, long size) {}

  /** A line of {@code --print-uris}: 'uri' file-name size hash. */
  private static final Pattern PRINTED_URI = Pattern.compile("'(https?://[^'\\s]+)' ([A-Za-z0-9][A-Za-z0-9.+~%_-]{0,250}\\.deb) ([0-9]{1,12}) \\S+");
  /** What a mirror's URI and a keyring's path may hold in a sources.list line. */
  private static final Pattern SOURCE_WORD = Pattern.compile("[^\\s\\[\\]]+");
  private static final Pattern SUITE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

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
    run(root, options, false);
  }

  /**
   * As {@link #run(Path, Options)}; with {@code listsCurrent}, the target's lists are a generation of the
   * lists pool that an update with the same keyring confirmed within the release max age
   * (cache.AptListsPool#current), so mmdebstrap skips its own {@code apt-get update}.
   */
  public void run(Path root, Options options, boolean listsCurrent) {
    List<Path> readOnly = new ArrayList<>();
    if (!options.trusted()) {
      readOnly.add(options.keyring());
    }
    if (options.mirror().startsWith("file:")) {
      readOnly.add(Path.of(java.net.URI.create(options.mirror())));
    }
    try {
      sandbox.runBeside(root, readOnly, Command.of(settings.timeouts().debootstrap(), arguments(root, options, listsCurrent))
          .withEnv(options.proxyEnv()));
      if (mergesUsr(options.suite())) {
        checkUsrIsMerged(root, options);
      }
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
   * The package files mmdebstrap's apt will download for {@code options}, as apt itself resolves them, so
   * that they can be fetched several at a time beforehand (its apt fetches one after another from a host).
   * In the sandbox mmdebstrap runs in: {@code apt-get update} into the target's lists, with the suite's
   * keyring as mmdebstrap's (signed-by), then {@code --print-uris} for the variant's set (as mmdebstrap
   * selects it: Essential, Priority required, important without a variant, build-essential for buildd) and
   * the includes, against an empty dpkg status. The lists and apt's binary caches stay: mmdebstrap then
   * skips its own update (the signatures were checked here, with the same keyring), and its apt rebuilds
   * the caches, which name the sources and dpkg status they were made from. The answer comes from the sandbox:
   * whatever is fetched by it is checked against a signed index before apt sees it. Only for signed repos
   * on http or https ({@link #resolvesBeforehand}); empty otherwise. The target's apt configuration comes
   * first ({@link #prepareApt}).
   */
  public List<PackageFile> packageFiles(Path root, Options options) {
    if (!resolvesBeforehand(options)) {
      return List.of();
    }
    try {
      List<Path> readOnly = List.of(options.keyring());
      CommandResult printed;
      try {
        sandbox.runBeside(root, readOnly, Command.of(settings.timeouts().apt(), apt(root, options, "-q", "update",
            "--error-on=any")).withEnv(options.proxyEnv()));
        List<String> resolve = new ArrayList<>(List.of("-qq", "--print-uris", "install"));
        resolve.addAll(selection(options));
        printed = sandbox.runBeside(root, readOnly, Command.of(settings.timeouts().apt(),
            apt(root, options, resolve.toArray(String[]::new))).withEnv(options.proxyEnv()));
      } catch (RuntimeException e) {
        // without apt's caches mmdebstrap runs its own update, which fails the same way and names the repo
        // (a Release whose signature does not verify), or succeeds where this one met a passing error
        Files.deleteIfExists(root.resolve("var/cache/apt/pkgcache.bin"));
        Files.deleteIfExists(root.resolve("var/cache/apt/srcpkgcache.bin"));
        throw e;
      }
      return packageFiles(printed.lines(), options.mirror());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Only a signed repo on http or https: {@link #packageFiles} resolves nothing beforehand for others. */
  public static boolean resolvesBeforehand(Options options) {
    return !options.trusted() && (options.mirror().startsWith("http://") || options.mirror().startsWith("https://"));
  }

  /**
   * The apt configuration {@link #packageFiles} uses, in the target: its one source (which mmdebstrap
   * writes again) and apt's directories. Before it, lists of the same configuration may be put in the
   * target's lists directory; apt then only asks whether they changed.
   */
  public void prepareApt(Path root, Options options) throws IOException {
    Files.createDirectories(root.resolve("var/lib/apt/lists/partial"));
    Files.createDirectories(root.resolve("var/cache/apt/archives/partial"));
    Files.createDirectories(root.resolve("etc/apt/trusted.gpg.d"));
    Files.writeString(root.resolve("etc/apt/sources.list"), sourcesLine(options));
  }

  /** The bootstrap's one source, as mmdebstrap writes it, with the keyring that signs the suite. */
  static String sourcesLine(Options options) {
    String keyring = options.keyring().toString();
    if (!SOURCE_WORD.matcher(options.mirror()).matches() || !SOURCE_WORD.matcher(keyring).matches()
        || !SUITE.matcher(options.suite()).matches()) {
      throw new IllegalArgumentException("not a source for apt: " + options.mirror() + " " + options.suite());
    }
    return "deb [signed-by=" + keyring + "] " + options.mirror() + " " + options.suite() + " main\n";
  }

  /** apt-get on the target's directories alone, for the bootstrap's architecture, with an empty dpkg status. */
  static List<String> apt(Path root, Options options, String... command) {
    List<String> args = new ArrayList<>(List.of("apt-get",
        "-o", "Dir=" + root, "-o", "Dir::State::Status=/dev/null",
        "-o", "APT::Architecture=" + options.arch(), "-o", "APT::Architectures=" + options.arch(),
        "-o", "Acquire::Languages=none", "-o", "APT::Install-Recommends=false",
        "-o", "Acquire::http::AllowRedirect=false", "-o", "Acquire::https::AllowRedirect=false",
        "-o", "APT::Sandbox::User=root"));
    args.addAll(List.of(command));
    return args;
  }

  /** What mmdebstrap installs for the variant, with the includes and (with the merged-/usr hooks) usr-is-merged. */
  static List<String> selection(Options options) {
    String priorities = switch (String.valueOf(options.variant())) {
      case "minbase", "buildd" -> "?or(?essential,?priority(required))";
      default -> "?or(?essential,?priority(required),?priority(important))";
    };
    String suite = options.suite();
    List<String> packages = new ArrayList<>(List.of("?narrow(?or(?archive(^" + suite + "$),?codename(^" + suite
        + "$)),?architecture(" + options.arch() + ")," + priorities + ")"));
    if ("buildd".equals(options.variant())) {
      packages.add("build-essential");
    }
    if (mergesUsr(suite)) {
      packages.add("usr-is-merged");
    }
    packages.addAll(options.include());
    return packages;
  }

  /** The printed downloads that come from the mirror itself (apt was told to follow no redirect). */
  static List<PackageFile> packageFiles(List<String> printed, String mirror) {
    String prefix = mirror.endsWith("/") ? mirror : mirror + "/";
    List<PackageFile> files = new ArrayList<>();
    for (String line : printed) {
      Matcher m = PRINTED_URI.matcher(line.trim());
      if (m.matches() && m.group(1).startsWith(prefix) && !m.group(1).contains("/../")) {
        try {
          files.add(new PackageFile(URI.create(m.group(1)), m.group(2), Long.parseLong(m.group(3))));
        } catch (IllegalArgumentException e) {
          BuildLog.warn("apt printed a URI that is none: {}", m.group(1));
        }
      }
    }
    return files;
  }

  /**
   * mmdebstrap's own hook that makes /usr merged from the start, as debootstrap does: bin, sbin and lib are
   * links into /usr before anything is unpacked, and a stand-in usr-is-merged (version 1, made by the hook)
   * satisfies what asks for a merged /usr. Without it apt picks usrmerge, which converts the tree after the
   * fact and brings perl with it (7 packages more; the bootstrap took 16.0 s against 14.6 s here). The
   * archive's usr-is-merged then replaces the stand-in among the remaining packages, as an include: the
   * hook set's essential hook would run an apt of its own for it (0.5 s of a 13 s bootstrap here, the same
   * packages and files), and {@link #checkUsrIsMerged} makes the same check it makes.
   */
  static final String MERGED_USR_HOOK = "/usr/share/mmdebstrap/hooks/merged-usr/setup00.sh";
  /** The source of the archive's usr-is-merged; the stand-in's is mmdebstrap-dummy-usr-is-merged. */
  static final String USR_IS_MERGED_SOURCE = "usrmerge";
  /** More than a dpkg status of any bootstrap: the file is not read beyond it. */
  static final long MAX_STATUS_BYTES = 64L << 20;
  /**
   * Suites whose archive has no usr-is-merged: they bootstrap as they always did, without the merged-usr
   * hook, the include and the check.
   */
  static final Set<String> SEPARATE_USR_SUITES = Set.of("jessie", "stretch", "buster", "bullseye",
      "xenial", "bionic", "focal", "jammy");

  /** Whether {@code suite} is bootstrapped with /usr merged from the start (its archive has usr-is-merged). */
  static boolean mergesUsr(String suite) {
    return !SEPARATE_USR_SUITES.contains(suite);
  }

  /** mmdebstrap's arguments, as they run in the sandbox. */
  static List<String> arguments(Path root, Options options) {
    return arguments(root, options, false);
  }

  static List<String> arguments(Path root, Options options, boolean listsCurrent) {
    List<String> args = new ArrayList<>(List.of("mmdebstrap", "--mode=root"));
    if (options.variant() != null) {
      args.add("--variant=" + options.variant());
    }
    List<String> include = new ArrayList<>(options.include());
    boolean mergedUsr = mergesUsr(options.suite());
    if (mergedUsr && !include.contains("usr-is-merged")) {
      include.add("usr-is-merged");
    }
    args.add("--include=" + String.join(",", include));
    args.add("--architectures=" + options.arch());
    if (mergedUsr) {
      args.add("--setup-hook=" + MERGED_USR_HOOK);
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
        "--skip=check/empty,chroot/mount,chroot/policy-rc.d,check/qemu,essential/unlink,cleanup/apt/lists,cleanup/apt/cache"
            + (listsCurrent ? ",update" : ""),
        options.suite(), root.toString()));
    // the tree's sources.list is the build's own later (AptSettings): this line serves the bootstrap only
    args.add(options.trusted() ? "deb [trusted=yes] " + options.mirror() + " " + options.suite() + " main"
        : options.mirror());
    return args;
  }

  /**
   * The check the merged-usr hook set's essential hook makes: the tree's usr-is-merged is installed and is
   * the archive's, not the hook's stand-in (which would be left where the suite has none of its own).
   * The tree's dpkg status is read only as a regular file, without following a link, and not beyond
   * {@link #MAX_STATUS_BYTES} (no process of the bootstrap's sandbox outlives it).
   */
  static void checkUsrIsMerged(Path root, Options options) {
    String status;
    try {
      Path file = root;
      for (String part : List.of("var", "lib", "dpkg", "status")) {
        file = file.resolve(part);
        if (Files.isSymbolicLink(file)) {
          throw new BuildFailure("the bootstrap's " + root.relativize(file) + " is a symbolic link");
        }
      }
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new BuildFailure("the bootstrap left no dpkg status as a regular file");
      }
      if (Files.size(file) > MAX_STATUS_BYTES) {
        throw new BuildFailure("the bootstrap's dpkg status is larger than " + MAX_STATUS_BYTES + " bytes");
      }
      status = Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new BuildFailure("could not read the bootstrap's dpkg status: " + e.getMessage(), e);
    }
    for (String paragraph : status.split("\n\n")) {
      List<String> lines = List.of(paragraph.strip().split("\n"));
      if (lines.contains("Package: usr-is-merged")) {
        if (lines.contains("Status: install ok installed") && lines.contains("Source: " + USR_IS_MERGED_SOURCE)) {
          return;
        }
        break;
      }
    }
    throw new BuildFailure("the bootstrap of suite " + options.suite() + " of repo " + options.mirror()
        + " did not install the archive's usr-is-merged, which a merged /usr needs (mmdebstrap's stand-in is left"
        + " or none is installed): a suite with /usr not merged is one of " + new java.util.TreeSet<>(SEPARATE_USR_SUITES));
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

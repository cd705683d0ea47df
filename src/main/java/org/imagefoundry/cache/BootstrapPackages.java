package org.imagefoundry.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.codec.digest.DigestUtils;
import org.imagefoundry.host.Apt;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.Debootstrapper;
import org.imagefoundry.spec.BuildSpec.Proxies;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.springframework.stereotype.Component;

/**
 * The shared package pool fed to the bootstrap. After a bootstrap its downloaded packages enter the pool
 * (vouched for by the signed lists it fetched, as any build's), and a list of them is kept per recipe:
 * mirror, suite, architecture, variant, includes and keyring, not the suite's InRelease. The next bootstrap of
 * that recipe, after the archive changed (a new InRelease makes a new base-tree key), finds copies of
 * the pooled packages in the target's apt cache. apt takes a file already there whose name (so package,
 * version and architecture) and size the new index gives, without reading it, and downloads the rest.
 * That is safe because each name came from a signed index's entry for the file's SHA-256 (see
 * {@link PackagePool#collect(Path, Path, List, String, boolean)}), and an archive never gives one version of a
 * package two contents.
 * The list is {@code <data-dir>/cache/packages/bootstraps/<recipe digest>}: a line per package,
 * {@code <apt's file name> <size> <SHA-256>}, replaced whole by each bootstrap of the recipe.
 */
@Component
public class BootstrapPackages {

  private static final Pattern LINE = Pattern.compile("(\\S+) ([0-9]{1,12}) ([0-9a-f]{64})");
  /** A minbase bootstrap downloads about a hundred packages; a list is read up to this size. */
  static final long MAX_LIST_SIZE = 1L << 20;

  private final PackagePool pool;
  private final Debootstrapper debootstrapper;
  private final PackageFetcher fetcher;
  private final AptListsPool lists;

  public BootstrapPackages(PackagePool pool, AptListsPool lists, Debootstrapper debootstrapper, PackageFetcher fetcher) {
    this.pool = pool;
    this.lists = lists;
    this.debootstrapper = debootstrapper;
    this.fetcher = fetcher;
  }

  /**
   * Copies of the recipe's pooled packages into the target's apt cache, before the bootstrap; true when
   * the recipe's list named packages and all of them were lent (then what the archive changed since is
   * left to apt, and {@link #prefetch} need not resolve the whole set again).
   */
  public boolean lend(Debootstrapper.Options options, Path root) {
    try {
      List<Apt.Download> packages = recorded(options);
      if (packages.isEmpty()) {
        return false;
      }
      Path archives = Files.createDirectories(archives(root));
      int lent = pool.lendInto(archives, packages);
      BuildLog.info("{} of the {} package(s) of the last bootstrap like this one lent from the shared package pool",
          lent, packages.size());
      return lent == packages.size();
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("the shared package pool lent nothing to the bootstrap: {}", e.getMessage());
      return false;
    }
  }

  /** The recipe's list: the packages the last bootstrap like this one had, as pooled; empty when there is none. */
  private List<Apt.Download> recorded(Debootstrapper.Options options) throws IOException {
    Path list = list(options);
    if (!BoundedInput.isPlainFile(list)) {
      return List.of();
    }
    byte[] text;
    try (BoundedInput in = BoundedInput.open(list, MAX_LIST_SIZE)) {
      text = in.readAllBytes();
    }
    List<Apt.Download> packages = new ArrayList<>();
    for (String line : new String(text, StandardCharsets.UTF_8).split("\n")) {
      Matcher m = LINE.matcher(line);
      if (m.matches()) {
        packages.add(new Apt.Download(m.group(1), Long.parseLong(m.group(2)), "SHA256:" + m.group(3)));
      }
    }
    return packages;
  }

  /**
   * Before the bootstrap, after {@link #lend}: the packages it will need and was not lent, fetched
   * {@link PackageFetcher#PARALLEL} at a time instead of one after another by its apt. apt in the sandbox
   * resolves them ({@link Debootstrapper#packageFiles}, which leaves the signed lists in the target; the
   * lists of the last bootstrap of this source are lent to it first and its own kept after, through the
   * {@link AptListsPool}, so that after an archive change apt fetches only what changed); they are
   * fetched into a directory of the pool's own, and only those whose SHA-256 a signed index of the suite
   * gives, under the name apt gives that entry, enter the pool and are lent to the target
   * ({@link PackagePool#collect(Path, Path, List, String, boolean)}): apt takes a file already in its cache
   * by name and size without reading it. Best effort: whatever fails here apt downloads itself, and a bad
   * signature fails the bootstrap, which names the repo.
   */
  void prefetch(Debootstrapper.Options options, Path root, String buildId, Proxies proxies) {
    prefetch(options, root, buildId, proxies, true);
  }

  /**
   * Before the bootstrap: {@link #lend}, then {@link #prefetch} unless the last bootstrap like this one
   * lent all it had (what the archive changed since is left to apt); the lists are lent either way, so
   * mmdebstrap's apt-get update only asks whether they changed. Returns whether the lists lent are
   * current ({@link AptListsPool#current}): then mmdebstrap need not update at all.
   */
  public boolean feed(Debootstrapper.Options options, Path root, String buildId, Proxies proxies) {
    boolean all = lend(options, root);
    return prefetch(options, root, buildId, proxies, !all);
  }

  /**
   * Returns whether the target's lists are current (lent and confirmed within the release max age, see
   * {@link AptListsPool#current}), when nothing is resolved here: mmdebstrap then need not update.
   */
  private boolean prefetch(Debootstrapper.Options options, Path root, String buildId, Proxies proxies, boolean resolve) {
    if (!pool.enabled() || !Debootstrapper.resolvesBeforehand(options)) {
      return false;
    }
    Path staging = null;
    try {
      debootstrapper.prepareApt(root, options);
      boolean listsLent = lists.lend(root, options.arch(), buildId);
      if (!resolve) {
        return listsLent && lists.current(root, options.arch(), List.of(repo(options)));
      }
      List<Debootstrapper.PackageFile> files = debootstrapper.packageFiles(root, options);
      lists.keep(root, options.arch(), List.of(repo(options)), buildId);
      Path archives = archives(root);
      List<Debootstrapper.PackageFile> missing = files.stream().filter(file -> !has(archives, file)).toList();
      if (missing.isEmpty()) {
        return false;
      }
      staging = Files.createDirectories(pool.dir().resolve("fetching").resolve(buildId));
      long start = System.nanoTime();
      int fetched = fetcher.fetch(missing, staging, proxies);
      long fetching = System.nanoTime() - start;
      List<Apt.Download> vouched = pool.collect(staging, AptListsPool.lists(root), List.of(repo(options)), buildId, true);
      int lent = pool.lendInto(Files.createDirectories(archives), vouched);
      BuildLog.info("{} of the bootstrap's {} package(s) fetched {} at a time in {} ms, {} of them vouched for by the "
          + "signed index and lent to it in {} ms", fetched, missing.size(), PackageFetcher.PARALLEL, fetching / 1_000_000,
          lent, (System.nanoTime() - start - fetching) / 1_000_000);
      return false;
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("the bootstrap's packages were not fetched beforehand ({}): its apt fetches them", e.getMessage());
      return false;
    } finally {
      if (staging != null) {
        try {
          PackagePool.clear(staging);
          Files.deleteIfExists(staging);
        } catch (IOException e) {
          BuildLog.warn("could not delete {}: {}", staging, e.getMessage());
        }
      }
    }
  }

  private static boolean has(Path archives, Debootstrapper.PackageFile file) {
    Path copy = archives.resolve(file.fileName());
    try {
      return BoundedInput.isPlainFile(copy) && Files.size(copy) == file.size();
    } catch (IOException e) {
      return false;
    }
  }

  private static RepoSpec repo(Debootstrapper.Options options) {
    return new RepoSpec("bootstrap", options.mirror(), options.suite(), "main", null, "deb", options.trusted(),
        options.keyring().toString());
  }

  /**
   * After the bootstrap: its packages into the pool, checked against the lists it fetched, and their
   * names as the recipe's list. Best effort: a failure here costs the next bootstrap its downloads, never
   * this build.
   */
  public void keep(Debootstrapper.Options options, Path root, String buildId) {
    try {
      if (holdsOnly(archives(root), recorded(options))) {
        BuildLog.info("the bootstrap had only the packages the pool lent it: their list stands");
        return;
      }
      List<Apt.Download> pooled = pool.collect(archives(root), AptListsPool.lists(root), List.of(repo(options)), buildId, true);
      if (pooled.isEmpty()) {
        return;
      }
      StringBuilder text = new StringBuilder();
      for (Apt.Download download : pooled) {
        text.append(download.fileName()).append(' ').append(download.size()).append(' ')
            .append(download.hash().substring("SHA256:".length())).append('\n');
      }
      Path list = list(options);
      Files.createDirectories(list.getParent());
      Path partial = list.resolveSibling("." + list.getFileName() + "." + buildId + ".partial");
      Files.writeString(partial, text);
      Files.move(partial, list, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("the bootstrap's packages were not kept for the next one: {}", e.getMessage());
    }
  }

  /**
   * Whether apt's cache holds exactly the files {@code lent} names, each of its size: the bootstrap
   * downloaded nothing, so nothing is new to the pool and the list stands. Nothing of the cache enters
   * the pool this way, so what a script may have done to a copy there does not matter.
   */
  private static boolean holdsOnly(Path archives, List<Apt.Download> lent) throws IOException {
    if (lent.isEmpty() || !Files.isDirectory(archives, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    Map<String, Long> files = new HashMap<>();
    try (Stream<Path> entries = Files.list(archives)) {
      for (Path entry : entries.filter(e -> e.getFileName().toString().endsWith(".deb")).toList()) {
        if (!BoundedInput.isPlainFile(entry)) {
          return false;
        }
        files.put(entry.getFileName().toString(), Files.size(entry));
      }
    }
    Map<String, Long> expected = new HashMap<>();
    lent.forEach(download -> expected.put(download.fileName(), download.size()));
    return files.equals(expected);
  }

  Path list(Debootstrapper.Options options) {
    String recipe = String.join("\n", options.mirror(), options.suite(), options.arch(), String.valueOf(options.variant()),
        String.join(",", options.include()), options.keyring().toString(), String.valueOf(options.trusted()));
    return pool.dir().resolve("bootstraps").resolve(DigestUtils.sha256Hex(recipe));
  }

  static Path archives(Path root) {
    return root.resolve("var/cache/apt/archives");
  }
}

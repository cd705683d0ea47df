package org.imagefoundry.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.DigestUtils;
import org.imagefoundry.host.Apt;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.Workspace;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.springframework.stereotype.Component;

/**
 * The .deb files apt downloaded, shared across builds, addressed by their SHA-256
 * ({@code <data-dir>/cache/packages/sha256/<hex>.deb}). Each build gets its own archives directory in
 * its workspace, bind-mounted at the chroot's /var/cache/apt/archives, so concurrent builds never
 * contend for apt's lock and the packages never end up in an image. The build's scripts can write in
 * that directory, so nothing in it is trusted: a .deb enters the pool only when its SHA-256 is a
 * {@code SHA256:} of a Packages index that a gpgv-verified InRelease of the build's repos vouches for
 * ({@link SignedIndexes}), and the pool lends copies (never hard links, which a script could write
 * through) of just the entries apt asks for, named as apt expects them. apt names a package by its
 * MD5Sum, so each entry also has a hard link {@code md5/<hex>.deb} inside the pool, never lent.
 */
@Component
public class PackagePool {

  /** What apt names a file in archives/: name_version_arch.deb, with an epoch's colon as %3a. */
  private static final Pattern ARCHIVE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.+~%_-]{0,250}\\.deb");
  private static final Pattern HASH = Pattern.compile("(MD5Sum:[0-9a-f]{32})|(SHA256:[0-9a-f]{64})");
  /** More files than any real install downloads: the rest of a directory a script filled is not read. */
  static final int MAX_FILES = 20_000;

  private final FoundrySettings settings;
  private final SignedIndexes indexes;

  public PackagePool(FoundrySettings settings, SignedIndexes indexes) {
    this.settings = settings;
    this.indexes = indexes;
  }

  /** False when the caches are off: the pool then neither keeps nor lends anything. */
  boolean enabled() {
    return settings.cache().enabled();
  }

  public Path dir() {
    return settings.dataDir().resolve("cache").resolve("packages");
  }

  Path entries() {
    return dir().resolve("sha256");
  }

  Path entry(String sha256) {
    return entries().resolve(sha256 + ".deb");
  }

  Path byMd5(String md5) {
    return dir().resolve("md5").resolve(md5 + ".deb");
  }

  /** The pooled file apt asks for by {@code MD5Sum:<hex>} or {@code SHA256:<hex>}, if the pool has it. */
  private Path pooled(String hash) {
    var matcher = HASH.matcher(hash);
    if (!matcher.matches()) {
      return null;
    }
    String hex = hash.substring(hash.indexOf(':') + 1);
    return matcher.group(1) != null ? byMd5(hex) : entry(hex);
  }

  public static Path archives(Workspace workspace) {
    return workspace.dir().resolve("apt-archives");
  }

  /** The build's archives directory, made if missing, for the bind mount; it holds nothing of the pool yet. */
  public Path prepare(Workspace workspace) {
    Path archives = archives(workspace);
    try {
      Files.createDirectories(archives.resolve("partial"));
      return archives;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Empties the build's archives directory (what an earlier attempt's scripts left there included) and
   * puts in it a copy of each pooled package of {@code downloads}, under the name apt asked for. The
   * list comes from apt in the sandbox and is not trusted: at worst it names entries of the pool,
   * each of which a signed index vouched for.
   */
  public void lend(Workspace workspace, List<Apt.Download> downloads) {
    Path archives = archives(workspace);
    try {
      clear(archives);
      Files.createDirectories(archives.resolve("partial"));
      int lent = lendInto(archives, downloads);
      if (settings.cache().enabled()) {
        BuildLog.info("{} of {} package(s) to download lent from the shared package pool", lent, downloads.size());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies of the pooled packages of {@code downloads} into {@code archives}, under their names; how many. */
  int lendInto(Path archives, List<Apt.Download> downloads) throws IOException {
    if (!settings.cache().enabled()) {
      return 0;
    }
    int lent = 0;
    for (Apt.Download download : downloads) {
      Path pooled = pooled(download.hash());
      if (!ARCHIVE_NAME.matcher(download.fileName()).matches() || pooled == null || !BoundedInput.isPlainFile(pooled)
          || Files.size(pooled) != download.size()) {
        continue;
      }
      Files.copy(pooled, archives.resolve(download.fileName()), StandardCopyOption.REPLACE_EXISTING,
          LinkOption.NOFOLLOW_LINKS);
      Files.setLastModifiedTime(pooled, FileTime.from(Instant.now()));
      lent++;
    }
    return lent;
  }

  /**
   * Adds to the pool each .deb in the build's archives directory whose SHA-256 a signed index of
   * {@code repos} gives (the lists in the chroot under {@code root}, verified here), then trims the pool to
   * its size limit. Only regular files are read, never through a link, each up to the pool's size limit;
   * what enters the pool is the copy whose digest was checked.
   */
  public void collect(Workspace workspace, Path root, List<RepoSpec> repos) {
    try {
      collect(archives(workspace), AptListsPool.lists(root), repos, workspace.buildId(), false);
    } catch (IOException e) {
      BuildLog.warn("could not add packages to the pool: {}", e.getMessage());
    }
  }

  /**
   * {@link #collect(Workspace, Path, List)} for any archives directory and the lists that vouch for its
   * packages. With {@code named}, returns the packages of {@code archives} the pool now holds whose file
   * name is the one apt gives the package a signed index lists for its SHA-256 (name, version,
   * architecture): a script may have renamed a file, but cannot make the pool lend one package as another.
   */
  List<Apt.Download> collect(Path archives, Path lists, List<RepoSpec> repos, String buildId, boolean named) {
    List<Apt.Download> pooled = new ArrayList<>();
    if (!settings.cache().enabled()) {
      return pooled;
    }
    try {
      Files.createDirectories(entries());
      long maxSize = settings.cache().maxPackagesSize().toBytes();
      Map<String, Path> candidates = new HashMap<>();
      Map<String, Path> present = new HashMap<>();
      for (Path deb : debs(archives)) {
        String sha256 = sha256(deb, maxSize);
        if (sha256 == null) {
          continue;
        }
        if (BoundedInput.isPlainFile(entry(sha256))) {
          Files.setLastModifiedTime(entry(sha256), FileTime.from(Instant.now()));
          present.put(sha256, deb);
        } else {
          candidates.put(sha256, deb);
        }
      }
      int added = 0;
      if (!candidates.isEmpty() || (named && !present.isEmpty())) {
        Set<String> wanted = new HashSet<>(candidates.keySet());
        if (named) {
          wanted.addAll(present.keySet());
        }
        Map<String, SignedIndexes.PackageEntry> vouched = indexes.packages(lists, repos, wanted);
        for (var candidate : candidates.entrySet()) {
          SignedIndexes.PackageEntry entry = vouched.get(candidate.getKey());
          if (entry == null) {
            BuildLog.warn("{} not added to the shared package pool: its SHA-256 {} is in no signed Packages index of the build's repos",
                candidate.getValue().getFileName(), candidate.getKey());
          } else if (admit(candidate.getValue(), entry, buildId)) {
            added++;
            present.put(candidate.getKey(), candidate.getValue());
          }
        }
        if (named) {
          for (var deb : present.entrySet()) {
            SignedIndexes.PackageEntry entry = vouched.get(deb.getKey());
            if (entry != null && deb.getValue().getFileName().toString().equals(archiveName(entry))) {
              pooled.add(new Apt.Download(archiveName(entry), entry.size(), "SHA256:" + entry.sha256()));
            }
          }
        }
      }
      BuildLog.info("{} package(s) added to the shared package pool", added);
      trim();
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("could not add packages to the pool: {}", e.getMessage());
    }
    return pooled;
  }

  /** The name apt gives the package's file in archives/: name_version_architecture.deb, an epoch's colon as %3a. */
  static String archiveName(SignedIndexes.PackageEntry entry) {
    return entry.name() + "_" + entry.version().replace(":", "%3a") + "_" + entry.architecture() + ".deb";
  }

  /** Copies the file into the pool as the entry's digest, if the copy has that digest and size. */
  private boolean admit(Path deb, SignedIndexes.PackageEntry entry, String buildId) throws IOException {
    Path partial = entries().resolve("." + entry.sha256() + "." + buildId + ".partial");
    try {
      MessageDigest digest = DigestUtils.getSha256Digest();
      MessageDigest md5 = DigestUtils.getMd5Digest();
      long size;
      try (BoundedInput in = BoundedInput.open(deb, entry.size() + 1);
          OutputStream out = Files.newOutputStream(partial)) {
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
          digest.update(buffer, 0, n);
          md5.update(buffer, 0, n);
          out.write(buffer, 0, n);
        }
        size = in.count();
      }
      if (size != entry.size() || !Hex.encodeHexString(digest.digest()).equals(entry.sha256())) {
        BuildLog.warn("{} changed while it was copied: not added to the shared package pool", deb.getFileName());
        return false;
      }
      Path admitted = entry(entry.sha256());
      Files.move(partial, admitted, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Path link = byMd5(Hex.encodeHexString(md5.digest()));
      Files.createDirectories(link.getParent());
      Path linkPartial = link.resolveSibling("." + entry.sha256() + "." + buildId + ".partial");
      Files.deleteIfExists(linkPartial);
      Files.createLink(linkPartial, admitted);
      Files.move(linkPartial, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return true;
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  /** The file's SHA-256, or null when it is larger than {@code max}. */
  private static String sha256(Path file, long max) throws IOException {
    try (BoundedInput in = BoundedInput.open(file, max + 1)) {
      MessageDigest digest = DigestUtils.getSha256Digest();
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return in.count() > max ? null : Hex.encodeHexString(digest.digest());
    }
  }

  private void trim() throws IOException {
    // the pool once held .debs by file name, taken in unchecked: none of them is ever lent again
    for (Path legacy : debs(dir())) {
      Files.deleteIfExists(legacy);
    }
    List<Path> debs = debs(entries()).stream().sorted(Comparator.comparing(PackagePool::modified)).toList();
    long total = 0;
    for (Path deb : debs) {
      total += Files.size(deb);
    }
    for (Path deb : debs) {
      if (total <= settings.cache().maxPackagesSize().toBytes()) {
        break;
      }
      total -= Files.size(deb);
      Files.deleteIfExists(deb);
    }
    // an MD5 name whose entry went is the only name left of its file
    for (Path name : debs(byMd5("x").getParent())) {
      if (((Number) Files.getAttribute(name, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue() < 2) {
        Files.deleteIfExists(name);
      }
    }
  }

  /** Everything in the directory goes, links as links (never what they point at). */
  static void clear(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path visited, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        if (!visited.equals(dir)) {
          Files.delete(visited);
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** The regular .deb files directly in the directory (at most {@link #MAX_FILES}), never links. */
  private static List<Path> debs(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.limit(MAX_FILES)
          .filter(f -> f.getFileName().toString().endsWith(".deb") && BoundedInput.isPlainFile(f)).toList();
    }
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }
}

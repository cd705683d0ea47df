package org.imagefoundry.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.TreeArchives;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/**
 * The entries of the tree caches (the base tree, the package layer): {@code <data-dir>/cache/<layer>/<key>/}
 * holding a zstd tar of the tree, what the key stands for, and when the entry was last used. An entry
 * appears by renaming a complete directory, so a partial one is never seen, and of two fills of one key
 * the first rename wins; zstd's checksum fails the unpacking of a corrupt entry, which is then dropped.
 * The least recently used entries of all layers (and of the {@link ImageStore}, whose entries look the
 * same) go first when the caches together outgrow {@code image-foundry.cache.max-size}.
 */
@Component
public class TreeStore {

  static final String ARCHIVE = "tree.tar.zst";
  static final String LAST_USED = "last-used";
  /** Every kind of entry under {@code <data-dir>/cache} that counts against {@code max-size}. */
  static final List<String> LAYERS = List.of("base", "layers", "images");

  private final FoundrySettings settings;
  private final TreeArchives archives;

  public TreeStore(FoundrySettings settings, TreeArchives archives) {
    this.settings = settings;
    this.archives = archives;
  }

  public Path dir(String layer) {
    return settings.dataDir().resolve("cache").resolve(layer);
  }

  /** Unpacks the entry into {@code root}; false on a miss, or when the entry proved corrupt (and was dropped). */
  public boolean restore(String layer, String digest, Path root) {
    Path entry = dir(layer).resolve(digest);
    Path archive = entry.resolve(ARCHIVE);
    if (!Files.isRegularFile(archive)) {
      BuildLog.info("{} cache miss: {}", layer, digest);
      return false;
    }
    try {
      archives.unpack(archive, root);
    } catch (RuntimeException e) {
      BuildLog.warn("{} cache entry {} is corrupt, dropping it: {}", layer, digest, e.getMessage());
      delete(entry);
      return false;
    }
    touch(entry.resolve(LAST_USED));
    BuildLog.info("tree unpacked from the {} cache: {}", layer, digest);
    return true;
  }

  /** A note kept with the entry; empty when the entry or its note is missing. */
  public Optional<String> note(String layer, String digest, String name) {
    try {
      return Optional.of(Files.readString(dir(layer).resolve(digest).resolve(name)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Drops the entry, as one found damaged. */
  public void drop(String layer, String digest, String why) {
    BuildLog.warn("{} cache entry {} is damaged, dropping it: {}", layer, digest, why);
    delete(dir(layer).resolve(digest));
  }

  public boolean contains(String layer, String digest) {
    return Files.isRegularFile(dir(layer).resolve(digest).resolve(ARCHIVE));
  }

  /** Keeps the tree under {@code root}, but for {@code excludes}, as an entry; best effort, never fails the build. */
  public void store(String layer, String digest, String description, Path root, List<String> excludes, String buildId) {
    store(layer, digest, description, root, excludes, Map.of(), buildId);
  }

  /** As {@link #store}, with {@code notes} (file name to text) kept beside the tree, for {@link #note}. */
  public void store(String layer, String digest, String description, Path root, List<String> excludes,
      Map<String, String> notes, String buildId) {
    Path entry = dir(layer).resolve(digest);
    if (Files.isDirectory(entry)) {
      return;
    }
    Path partial = dir(layer).resolve(digest + "." + buildId + ".partial");
    try {
      delete(partial);
      Files.createDirectories(partial);
      archives.pack(root, partial.resolve(ARCHIVE), excludes);
      Files.writeString(partial.resolve("key.txt"), description + "\n");
      for (var note : notes.entrySet()) {
        Files.writeString(partial.resolve(note.getKey()), note.getValue());
      }
      touch(partial.resolve(LAST_USED));
      Files.move(partial, entry, StandardCopyOption.ATOMIC_MOVE);
      BuildLog.info("tree stored in the {} cache: {}", layer, digest);
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      BuildLog.info("another build stored the same tree first in the {} cache: {}", layer, digest);
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("could not store the tree in the {} cache: {}", layer, e.getMessage());
    } finally {
      delete(partial);
    }
    evict();
  }

  /** Drops least recently used entries, of any layer, until the caches fit {@code image-foundry.cache.max-size}. */
  public synchronized void evict() {
    List<Path> all = LAYERS.stream().flatMap(this::entries).sorted(Comparator.comparing(TreeStore::lastUsed)).toList();
    long total = all.stream().mapToLong(TreeStore::size).sum();
    long max = settings.cache().maxSize().toBytes();
    for (Path entry : all) {
      if (total <= max) {
        break;
      }
      total -= size(entry);
      BuildLog.info("evicting cache entry {} of {} (least recently used)", entry.getFileName(), entry.getParent().getFileName());
      delete(entry);
    }
  }

  Stream<Path> entries(String layer) {
    Path dir = dir(layer);
    if (!Files.isDirectory(dir)) {
      return Stream.empty();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> Files.isRegularFile(p.resolve(LAST_USED)) && !p.getFileName().toString().endsWith(".partial"))
          .toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static FileTime lastUsed(Path entry) {
    try {
      return Files.getLastModifiedTime(entry.resolve(LAST_USED));
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  /** The apparent size of the entry's files (a stored image's holes count too: an upper bound). */
  static long size(Path entry) {
    try (Stream<Path> files = Files.walk(entry)) {
      return files.filter(Files::isRegularFile).mapToLong(file -> {
        try {
          return Files.size(file);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  static void touch(Path file) {
    try {
      if (!Files.exists(file)) {
        Files.createFile(file);
      }
      Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + dir, e);
    }
  }
}

package org.imagefoundry.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/**
 * The one store of the caches (base trees, package layers, stored images, apt lists), after osbuild's
 * fscache. An entry is the directory {@code <data-dir>/cache/<layer>/<digest>/}; it is written in a staging
 * directory beside it ({@code <digest>.<build>.partial}) and appears by an atomic rename, so a partial entry
 * is never seen. Every entry has a lock file, {@code <data-dir>/cache/locks/<layer>/<digest>}, locked with
 * FileChannel locks ({@link EntryLock}), so these rules hold between the processes sharing a data directory
 * as between the builds of one: a fill holds its entry alone, and a second fill of the key waits for it and
 * then finds the entry (or fills it itself when the first failed); a reader holds a lease while it unpacks or
 * copies; eviction takes an entry only when it gets it alone at once, so it never removes an entry in use.
 * The least recently used entries of {@link #BOUNDED} go first when together they outgrow
 * {@code image-foundry.cache.max-size}.
 */
@Component
public class CacheStore {

  static final String LAST_USED = "last-used";
  static final String KEY = "key.txt";
  /** The files the store itself keeps in an entry. */
  static final List<String> OWN = List.of(KEY, LAST_USED);
  /** The layers that count against {@code max-size}. */
  static final List<String> BOUNDED = List.of("base", "layers", "images");

  /** Writes an entry's files into its staging directory. */
  @FunctionalInterface
  public interface Writer {
    void write(Path staging) throws IOException;
  }

  /** A build's hold of an entry, or a reader's lease; closing it ends it. */
  public interface Hold extends AutoCloseable {
    @Override
    void close();
  }

  /** Reads, unpacks or copies an entry's files; a failure means the entry is damaged. */
  @FunctionalInterface
  public interface Reader<T> {
    T read(Path entry) throws IOException;
  }

  private final FoundrySettings settings;

  public CacheStore(FoundrySettings settings) {
    this.settings = settings;
  }

  public Path dir(String layer) {
    return settings.dataDir().resolve("cache").resolve(layer);
  }

  Path entry(CacheKey key) {
    return dir(key.layer()).resolve(key.digest());
  }

  public boolean contains(CacheKey key) {
    return Files.isDirectory(entry(key));
  }

  /**
   * Holds {@code key} for {@code owner} alone, waiting up to {@code patience} while another build (here or in
   * another process) holds or reads it; until the hold is closed or {@link #release}d, other fills of the key
   * wait and the owner's own reads and fill go ahead.
   */
  public Hold hold(CacheKey key, String owner, Duration patience) {
    try {
      EntryLock.Hold hold = lock(key).take(owner, false, System.nanoTime());
      if (hold == null) {
        BuildLog.info("another build is filling {} of the {} cache: waiting to use its result", key.digest(), key.layer());
        hold = lock(key).take(owner, false, deadline(patience));
      }
      if (hold == null) {
        throw new IllegalStateException("waited " + patience + " for another build's fill of the " + key.layer() + " cache");
      }
      return hold;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Ends the holds of {@code owner} on entries of {@code layer}, as a build that ended or failed. */
  public void release(String layer, String owner) {
    EntryLock.releaseAll(settings.dataDir().resolve("cache").resolve("locks").resolve(layer), owner);
  }

  /**
   * Reads the entry under a lease, waiting up to {@code patience} for a fill of it, then marks it used; empty on
   * a miss, or when the reader failed: the entry is then dropped as damaged.
   */
  public <T> Optional<T> read(CacheKey key, String owner, Duration patience, Reader<T> reader) {
    String damage;
    try (EntryLock.Hold lease = lock(key).take(owner, true, deadline(patience))) {
      if (lease == null || !contains(key)) {
        BuildLog.info("{} cache miss: {}", key.layer(), key.digest());
        return Optional.empty();
      }
      T value = reader.read(entry(key));
      touch(entry(key).resolve(LAST_USED));
      return Optional.of(value);
    } catch (IOException | RuntimeException e) {
      damage = String.valueOf(e.getMessage());
    }
    drop(key, owner, damage);
    return Optional.empty();
  }

  /** A small file kept with the entry, read without a lease; empty when the entry or the file is missing. */
  public Optional<String> note(CacheKey key, String name) {
    try {
      return Optional.of(Files.readString(entry(key).resolve(name)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Fills {@code key} unless it is there: waits up to {@code patience} while another build fills it, then has
   * {@code writer} write the entry into the staging directory and commits it by an atomic rename. Best effort:
   * false when the entry was not written (it was there, or the writer failed), never an exception.
   */
  public boolean fill(CacheKey key, String owner, Duration patience, Writer writer) {
    if (contains(key)) {
      return false;
    }
    boolean filled = false;
    try (EntryLock.Hold hold = lock(key).take(owner, false, deadline(patience))) {
      if (hold == null) {
        BuildLog.warn("waited {} for another build to store in the {} cache: not storing {}", patience, key.layer(), key.digest());
      } else if (contains(key)) {
        BuildLog.info("another build stored the same entry first in the {} cache: {}", key.layer(), key.digest());
      } else {
        commit(key, owner, writer);
        filled = true;
      }
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("could not store {} in the {} cache: {}", key.digest(), key.layer(), e.getMessage());
    }
    if (BOUNDED.contains(key.layer())) {
      evict();
    }
    return filled;
  }

  private void commit(CacheKey key, String owner, Writer writer) throws IOException {
    Path staging = dir(key.layer()).resolve(key.digest() + "." + owner + ".partial");
    try {
      delete(staging);
      Files.createDirectories(staging);
      writer.write(staging);
      if (key.description() != null) {
        Files.writeString(staging.resolve(KEY), key.description() + "\n");
      }
      touch(staging.resolve(LAST_USED));
      Files.move(staging, entry(key), StandardCopyOption.ATOMIC_MOVE);
      BuildLog.info("stored in the {} cache: {}", key.layer(), key.digest());
    } finally {
      delete(staging);
    }
  }

  /** Removes the entry unless someone holds or reads it; true when it is gone. */
  public boolean remove(CacheKey key, String owner) {
    try (EntryLock.Hold hold = lock(key).take(owner, false, System.nanoTime())) {
      if (hold == null) {
        return false;
      }
      Path entry = entry(key);
      if (Files.isDirectory(entry)) {
        // out of sight at once, so that nobody finds it half deleted
        Path doomed = entry.resolveSibling(key.digest() + "." + UUID.randomUUID() + ".deleting");
        Files.move(entry, doomed, StandardCopyOption.ATOMIC_MOVE);
        delete(doomed);
      }
      return true;
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("could not remove {} from the {} cache: {}", key.digest(), key.layer(), e.getMessage());
      return false;
    }
  }

  private void drop(CacheKey key, String owner, String why) {
    BuildLog.warn("{} cache entry {} is damaged, dropping it: {}", key.layer(), key.digest(), why);
    remove(key, owner);
  }

  /** Drops least recently used entries not in use, of any bounded layer, until they fit {@code image-foundry.cache.max-size}. */
  public synchronized void evict() {
    List<CacheKey> all = BOUNDED.stream().flatMap(this::keys)
        .sorted(Comparator.comparing(key -> lastUsed(entry(key)))).toList();
    long total = all.stream().mapToLong(key -> size(entry(key))).sum();
    long max = settings.cache().maxSize().toBytes();
    String evictor = "evict-" + UUID.randomUUID();
    for (CacheKey key : all) {
      if (total <= max) {
        break;
      }
      long size = size(entry(key));
      if (remove(key, evictor)) {
        total -= size;
        BuildLog.info("evicted cache entry {} of {} (least recently used)", key.digest(), key.layer());
      } else {
        BuildLog.info("cache entry {} of {} is in use: not evicted", key.digest(), key.layer());
      }
    }
  }

  /** The keys of the complete entries of {@code layer} (neither staged nor being deleted). */
  Stream<CacheKey> keys(String layer) {
    Path dir = dir(layer);
    if (!Files.isDirectory(dir)) {
      return Stream.empty();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(name -> !name.contains("."))
          .map(name -> new CacheKey(layer, name, null)).toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Stream<Path> entries(String layer) {
    return keys(layer).map(this::entry);
  }

  private EntryLock lock(CacheKey key) {
    return EntryLock.of(settings.dataDir().resolve("cache").resolve("locks").resolve(key.layer()).resolve(key.digest()));
  }

  private static long deadline(Duration patience) {
    return System.nanoTime() + patience.toNanos();
  }

  static FileTime lastUsed(Path entry) {
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

package org.imagefoundry.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.SparseFiles;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.spec.BuildSpec;
import org.imagefoundry.spec.BuildSpec.Image;
import org.springframework.stereotype.Component;

/**
 * The finished filesystem images of earlier builds, kept per content key under
 * {@code <data-dir>/cache/images/<key>/} (one sparse {@code <index>.img} per image, their sizes, the
 * root password's hash they hold, and the os the metadata reports): a request whose content is that of
 * an earlier build, and which differs only in its output, file names, containers or root password, is
 * published from them instead of being built (steps.SetRootPassword writes another password in). The
 * content key is the package layer's key, every image's mount point, format, options, label and size,
 * and whether free blocks are discarded. Entries are kept in the {@link CacheStore}, count
 * against {@code image-foundry.cache.max-size} with the tree caches, and one whose files do not have the
 * sizes recorded is dropped. The entry also keeps the installed packages read from the images, for the
 * bill of materials of the builds it serves.
 */
@Component
public class ImageStore {

  // a new version whenever what the build steps write into an image changes: v3, the hostname is localhost;
  // v4, the root password is not in the key but beside the images
  static final String FORMAT = "image-content-v4";
  public static final String LAYER = "images";
  static final String OS = "os.json";
  static final String SIZES = "sizes";
  static final String PACKAGES = "packages.json";
  static final String MD5S = "md5s";
  static final String ROOT_PASSWORD = "root-password";

  /**
   * What is known of the stored images: the os (JSON) and the installed packages (JSON) the metadata
   * reports, the root password's hash in their /etc/shadow (null: none was set), and each image's raw
   * md5 once a build has published them (empty until then).
   */
  public record Facts(String os, String packages, String rootPasswordHash, List<String> rawMd5s) {
    public Facts(String os, String packages, String rootPasswordHash) {
      this(os, packages, rootPasswordHash, List.of());
    }
  }

  private final FoundrySettings settings;
  private final CacheStore store;
  private final SparseFiles sparseFiles;

  public ImageStore(FoundrySettings settings, CacheStore store, SparseFiles sparseFiles) {
    this.settings = settings;
    this.store = store;
    this.sparseFiles = sparseFiles;
  }

  public Path dir() {
    return store.dir(LAYER);
  }

  /** The content key of {@code spec}'s images built on the package layer {@code layer}. */
  public CacheKey key(CacheKey layer, BuildSpec spec) {
    List<String> lines = new ArrayList<>(List.of(FORMAT, "layer=" + layer.digest(),
        "discard-free-blocks=" + settings.discardFreeBlocks()));
    for (Image image : spec.images()) {
      lines.add("image=" + String.join(" ", image.mount(), image.spec().format(),
          String.valueOf(image.spec().options()), String.valueOf(image.spec().label()), String.valueOf(image.spec().size())));
    }
    String description = String.join("\n", lines);
    return CacheKey.of(LAYER, description);
  }

  public boolean contains(CacheKey key) {
    return store.contains(key);
  }

  /** The root password's hash the stored images hold; null when they hold none, or there are none. */
  public String rootPasswordHash(CacheKey key) {
    return store.note(key, ROOT_PASSWORD).filter(hash -> !hash.isEmpty()).orElse(null);
  }

  /** Keeps copies of {@code images} and what was read from them; best effort, never fails the build. */
  public void store(CacheKey key, List<Path> images, Facts facts, String buildId) {
    store.fill(key, buildId, Duration.ZERO, staging -> {
      List<String> sizes = new ArrayList<>();
      for (int i = 0; i < images.size(); i++) {
        sparseFiles.copy(images.get(i), staging.resolve(i + ".img"));
        sizes.add(Long.toString(Files.size(images.get(i))));
      }
      Files.write(staging.resolve(SIZES), sizes);
      Files.writeString(staging.resolve(OS), facts.os());
      Files.writeString(staging.resolve(PACKAGES), facts.packages());
      Files.writeString(staging.resolve(ROOT_PASSWORD), facts.rootPasswordHash() == null ? "" : facts.rootPasswordHash());
    });
  }

  /**
   * Copies the entry's images to {@code targets} (in order; an image whose target is null is not copied) and
   * returns what was recorded with them; empty on a miss, or when the entry proved damaged (it is then
   * dropped).
   */
  public Optional<Facts> restore(CacheKey key, List<Path> targets, String buildId) {
    return store.read(key, buildId, Duration.ZERO, entry -> {
      List<String> sizes = Files.readAllLines(entry.resolve(SIZES));
      if (sizes.size() != targets.size()) {
        throw new IOException("holds " + sizes.size() + " images, not " + targets.size());
      }
      for (int i = 0; i < targets.size(); i++) {
        if (targets.get(i) != null) {
          copy(entry, sizes, i, targets.get(i));
        }
      }
      Path md5s = entry.resolve(MD5S);
      List<String> rawMd5s = Files.isRegularFile(md5s) ? Files.readAllLines(md5s) : List.of();
      if (!rawMd5s.isEmpty() && rawMd5s.size() != targets.size()) {
        throw new IOException("records " + rawMd5s.size() + " md5s, not " + targets.size());
      }
      BuildLog.info("images copied from a build of the same content: {}", key.digest());
      return new Facts(Files.readString(entry.resolve(OS)), Files.readString(entry.resolve(PACKAGES)),
          rootPasswordHash(key), rawMd5s);
    });
  }

  /** Copies the entry's image {@code index} to {@code target}; false on a miss, or when it proved damaged (then dropped). */
  public boolean restoreImage(CacheKey key, int index, Path target, String buildId) {
    return readImage(key, index, buildId, image -> {
      Files.createDirectories(target.getParent());
      sparseFiles.copy(image, target);
      return true;
    }).isPresent();
  }

  /** Reads a stored image file (never writes it). */
  public interface ImageReader<T> {
    T read(Path image) throws IOException;
  }

  /**
   * What {@code reader} makes of the entry's image {@code index} (to be read, never written) while the entry is
   * held; empty on a miss, or when the entry proved damaged, or the reader failed (the entry is then dropped).
   */
  public <T> Optional<T> readImage(CacheKey key, int index, String buildId, ImageReader<T> reader) {
    return store.read(key, buildId, Duration.ZERO, entry -> reader.read(image(entry, Files.readAllLines(entry.resolve(SIZES)), index)));
  }

  /** Copies image {@code index} of {@code entry}, of the size {@code sizes} records, to {@code target}. */
  private void copy(Path entry, List<String> sizes, int index, Path target) throws IOException {
    Path image = image(entry, sizes, index);
    Files.createDirectories(target.getParent());
    sparseFiles.copy(image, target);
  }

  /** Image {@code index} of {@code entry}, checked to have the size {@code sizes} records. */
  private static Path image(Path entry, List<String> sizes, int index) throws IOException {
    Path image = entry.resolve(index + ".img");
    if (index >= sizes.size() || Files.size(image) != Long.parseLong(sizes.get(index))) {
      throw new IOException(image.getFileName() + " is not of the size recorded");
    }
    return image;
  }

  /**
   * Records the raw md5s a build took when it published the entry's images (the very bytes stored), so
   * that builds served from the entry need not read them again; once, by an atomic rename, best effort.
   */
  public void recordRawMd5s(CacheKey key, List<String> md5s, String buildId) {
    Path entry = store.entry(key);
    Path target = entry.resolve(MD5S);
    if (!contains(key) || Files.exists(target)) {
      return;
    }
    Path partial = entry.resolve(MD5S + "." + buildId + ".partial");
    try {
      Files.write(partial, md5s);
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("could not record the md5s of stored images {}: {}", key.digest(), e.getMessage());
      try {
        Files.deleteIfExists(partial);
      } catch (IOException ignored) {
        // the entry's size check does not count it; eviction removes it with the entry
      }
    }
  }

  Stream<Path> entries() {
    return store.entries(LAYER);
  }
}

package org.imagefoundry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.imagefoundry.host.ProcessCommandRunner;
import org.imagefoundry.host.SparseFiles;
import org.imagefoundry.host.TreeArchives;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.spec.BuildSpec;
import org.imagefoundry.spec.BuildSpec.ImageSpec;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/** The image store with real cp: what decides the content key, and entries kept, copied back, dropped and evicted. */
class ImageStoreTest {

  static final CacheKey LAYER = new CacheKey("layers", "a".repeat(64), "layer");

  @TempDir Path dir;
  ImageStore store;

  @BeforeEach
  void setUp() {
    store = store(DataSize.ofGigabytes(1));
  }

  ImageStore store(DataSize maxSize) {
    FoundrySettings defaults = Settings.defaults();
    FoundrySettings settings = new FoundrySettings(dir.resolve("build"), dir.resolve("data"), List.of(), null, "n",
        "R1/PT1S", defaults.incidentTimeout(), List.of(), defaults.timeouts(), defaults.limits(),
        new FoundrySettings.Cache(true, maxSize, DataSize.ofGigabytes(1), true, Duration.ZERO, false), null, true, defaults.health(),
        defaults.admin(), List.of());
    var runner = new ProcessCommandRunner();
    return new ImageStore(settings, new CacheStore(settings), new SparseFiles(runner, settings));
  }

  static BuildSpec spec(String output, String fileName, String container, String format, String hashedPassword) {
    return new BuildSpec(Map.of("/", new ImageSpec("http://images.invalid/" + fileName, format, container, null, null, 1L << 30)),
        output, "bookworm", List.of(), List.of("less"), null, hashedPassword, null, "minbase", null, null);
  }

  Path image(String name, int size) throws Exception {
    byte[] data = new byte[size];
    new java.util.Random(size).nextBytes(data);
    return Files.write(dir.resolve(name), data);
  }

  @Test
  void onlyOutputFileNamesContainersAndTheRootPasswordLeaveTheContentKeyAsItIs() {
    CacheKey key = store.key(LAYER, spec("/out/a", "a.img.gz", "gzip", "ext4", null));

    assertThat(store.key(LAYER, spec("/out/b", "b.img", "raw", "ext4", null))).isEqualTo(key);
    assertThat(store.key(LAYER, spec("/out/a", "a.img.gz", "gzip", "ext4", "$6$salt$hash"))).isEqualTo(key);
    assertThat(store.key(LAYER, spec("/out/a", "a.img.gz", "gzip", "xfs", null)).digest()).isNotEqualTo(key.digest());
    assertThat(store.key(new CacheKey("layers", "b".repeat(64), "other"), spec("/out/a", "a.img.gz", "gzip", "ext4", null))
        .digest()).isNotEqualTo(key.digest());
  }

  @Test
  void theRootPasswordTheImagesHoldIsKeptWithThemAndNoneIsNull() throws Exception {
    CacheKey key = store.key(LAYER, spec("/out/a", "a.img", "raw", "ext4", "$6$salt$hash"));
    assertThat(store.rootPasswordHash(key)).isNull();

    store.store(key, List.of(image("0.img", 1 << 20)), new ImageStore.Facts("{}", "[]", "$6$salt$hash"), "b1");

    assertThat(store.rootPasswordHash(key)).isEqualTo("$6$salt$hash");
    assertThat(store.restore(key, List.of(dir.resolve("target/0.img")), "b9")).map(ImageStore.Facts::rootPasswordHash)
        .contains("$6$salt$hash");
    CacheKey other = store.key(LAYER, spec("/out/a", "a.img", "raw", "xfs", null));
    store.store(other, List.of(image("1.img", 1 << 20)), new ImageStore.Facts("{}", "[]", null), "b2");
    assertThat(store.rootPasswordHash(other)).isNull();
  }

  @Test
  void storedImagesAreCopiedBackWithTheirOs() throws Exception {
    CacheKey key = store.key(LAYER, spec("/out/a", "a.img", "raw", "ext4", null));
    Path built = image("0.img", 1 << 20);
    assertThat(store.restore(key, List.of(dir.resolve("target/0.img")), "b9")).isEmpty();

    store.store(key, List.of(built), new ImageStore.Facts("{\"name\":\"Debian\"}", "[{\"name\":\"less\"}]", null), "b1");

    assertThat(store.contains(key)).isTrue();
    Path target = dir.resolve("target/0.img");
    assertThat(store.restore(key, List.of(target), "b9"))
        .contains(new ImageStore.Facts("{\"name\":\"Debian\"}", "[{\"name\":\"less\"}]", null));
    assertThat(target).hasSameBinaryContentAs(built);
  }

  @Test
  void anImageWhoseTargetIsNullIsLeftOutAndCanBeCopiedAloneLater() throws Exception {
    CacheKey key = store.key(LAYER, spec("/out/a", "a.img", "raw", "ext4", null));
    Path root = image("0.img", 1 << 20);
    Path var = image("1.img", 1 << 19);
    store.store(key, List.of(root, var), new ImageStore.Facts("{}", "[]", null), "b1");
    Path rootTarget = dir.resolve("target/0.img");
    Path varTarget = dir.resolve("target/1.img");

    assertThat(store.restore(key, java.util.Arrays.asList(null, varTarget), "b9")).isPresent();

    assertThat(rootTarget).doesNotExist();
    assertThat(varTarget).hasSameBinaryContentAs(var);
    Path copy = dir.resolve("target/0.img.password");
    assertThat(store.restoreImage(key, 0, copy, "b9")).isTrue();
    assertThat(copy).hasSameBinaryContentAs(root);
    assertThat(store.restoreImage(store.key(LAYER, spec("/out/a", "a.img", "raw", "xfs", null)), 0, copy, "b9")).isFalse();
  }

  @Test
  void theRawMd5sABuildRecordsComeBackWithTheImagesOnceAndForAll() throws Exception {
    CacheKey key = store.key(LAYER, spec("/out/a", "a.img", "raw", "ext4", null));
    store.store(key, List.of(image("0.img", 1 << 20)), new ImageStore.Facts("{}", "[]", null), "b1");
    assertThat(store.restore(key, List.of(dir.resolve("t1/0.img")), "b9")).get().extracting(ImageStore.Facts::rawMd5s)
        .isEqualTo(List.of());

    store.recordRawMd5s(key, List.of("0123456789abcdef0123456789abcdef"), "b1");
    store.recordRawMd5s(key, List.of("ffffffffffffffffffffffffffffffff"), "b2"); // the first record stands

    assertThat(store.restore(key, List.of(dir.resolve("t2/0.img")), "b9")).get().extracting(ImageStore.Facts::rawMd5s)
        .isEqualTo(List.of("0123456789abcdef0123456789abcdef"));
    assertThat(Files.list(store.dir().resolve(key.digest()))).noneMatch(p -> p.toString().endsWith(".partial"));
  }

  @Test
  void anEntryThatRecordsMd5sForAnotherNumberOfImagesIsDropped() throws Exception {
    CacheKey key = store.key(LAYER, spec("/out/a", "a.img", "raw", "ext4", null));
    store.store(key, List.of(image("0.img", 1 << 20)), new ImageStore.Facts("{}", "[]", null), "b1");
    store.recordRawMd5s(key, List.of("0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"), "b1");

    assertThat(store.restore(key, List.of(dir.resolve("target/0.img")), "b9")).isEmpty();
    assertThat(store.dir().resolve(key.digest())).doesNotExist();
  }

  @Test
  void anEntryWhoseImageIsNotOfTheRecordedSizeIsDropped() throws Exception {
    CacheKey key = store.key(LAYER, spec("/out/a", "a.img", "raw", "ext4", null));
    store.store(key, List.of(image("0.img", 1 << 20)), new ImageStore.Facts("{}", "[]", null), "b1");
    Path stored = store.dir().resolve(key.digest()).resolve("0.img");
    Files.write(stored, new byte[100]);

    assertThat(store.restore(key, List.of(dir.resolve("target/0.img")), "b9")).isEmpty();
    assertThat(store.dir().resolve(key.digest())).doesNotExist();
  }

  @Test
  void theLeastRecentlyUsedEntryGoesWhenTheCachesTogetherOutgrowTheLimit() throws Exception {
    CacheKey older = store.key(LAYER, spec("/out/a", "a.img", "raw", "ext4", null));
    CacheKey newer = store.key(LAYER, spec("/out/a", "a.img", "raw", "xfs", null));
    store.store(older, List.of(image("0.img", 1 << 20)), new ImageStore.Facts("{}", "[]", null), "b1");
    Files.setLastModifiedTime(store.dir().resolve(older.digest()).resolve(CacheStore.LAST_USED), FileTime.fromMillis(1_000));

    store(DataSize.ofBytes((1 << 20) + (1 << 19)))
        .store(newer, List.of(image("1.img", 1 << 20)), new ImageStore.Facts("{}", "[]", null), "b2");

    assertThat(store.contains(older)).isFalse();
    assertThat(store.contains(newer)).isTrue();
  }
}

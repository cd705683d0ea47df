package org.imagefoundry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/** The store's locks: a reader's lease against eviction, and one fill of a key by two processes. */
class CacheStoreTest {

  static final String LAYER = "base";

  @TempDir Path dir;

  static CacheStore store(Path data, DataSize maxSize) {
    FoundrySettings defaults = Settings.defaults();
    return new CacheStore(new FoundrySettings(data.resolveSibling("build"), data, List.of(), null, "n", "R1/PT1S",
        defaults.incidentTimeout(), List.of(), defaults.timeouts(), defaults.limits(),
        new FoundrySettings.Cache(true, maxSize, DataSize.ofGigabytes(1), true, Duration.ZERO, false), null, true, defaults.health(),
        defaults.admin(), List.of()));
  }

  CacheKey filled(CacheStore store, String digest) {
    CacheKey key = new CacheKey(LAYER, digest, "a tree");
    assertThat(store.fill(key, "b1", Duration.ZERO, staging -> Files.writeString(staging.resolve("tree"), "x".repeat(1000))))
        .isTrue();
    return key;
  }

  @Test
  void evictionDuringAReadLeavesTheEntryBeingReadAndTakesItOnceTheLeaseEnds() {
    Path data = dir.resolve("data");
    CacheStore store = store(data, DataSize.ofGigabytes(1));
    CacheStore full = store(data, DataSize.ofBytes(0));
    CacheKey key = filled(store, "e".repeat(64));

    Optional<String> read = store.read(key, "b2", Duration.ZERO, entry -> {
      full.evict();
      return Files.readString(entry.resolve("tree"));
    });

    assertThat(read).contains("x".repeat(1000));
    assertThat(store.contains(key)).isTrue();
    full.evict();
    assertThat(store.contains(key)).isFalse();
  }

  @Test
  void evictionInAnotherProcessLeavesTheEntryBeingRead() {
    Path data = dir.resolve("data");
    CacheStore store = store(data, DataSize.ofGigabytes(1));
    CacheKey key = filled(store, "d".repeat(64));

    Optional<List<String>> evictorSaw = store.read(key, "b2", Duration.ZERO,
        entry -> run(start("evict", data.toString(), key.digest())));

    assertThat(evictorSaw.orElseThrow()).contains("left=true");
    assertThat(store.contains(key)).isTrue();
  }

  @Test
  void aSecondProcessFillingTheSameKeyWaitsForTheFirstAndUsesItsEntry() throws Exception {
    Path data = dir.resolve("data");
    Path fills = dir.resolve("fills");
    CacheStore store = store(data, DataSize.ofGigabytes(1));
    CacheKey key = new CacheKey(LAYER, "f".repeat(64), "two processes");
    List<String> childSaid = new ArrayList<>();
    Process[] child = new Process[1];

    boolean filled = store.fill(key, "parent", Duration.ZERO, staging -> {
      child[0] = start("fill", data.toString(), key.digest(), fills.toString());
      BufferedReader out = child[0].inputReader();
      // the child's store says so when it finds this fill holding the key's lock: only then is this one done
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        childSaid.add(line);
        if (line.contains("in use by another process")) {
          break;
        }
      }
      Files.writeString(fills, "parent\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      Files.writeString(staging.resolve("content"), "parent");
    });
    childSaid.addAll(run(child[0]));

    assertThat(filled).isTrue();
    assertThat(childSaid).anyMatch(line -> line.contains("in use by another process")).contains("filled=false seen=parent");
    assertThat(Files.readAllLines(fills)).containsExactly("parent");
  }

  static Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), CacheStoreProcess.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** The rest of what the process prints, once it has exited. */
  static List<String> run(Process process) throws IOException {
    try (BufferedReader out = process.inputReader()) {
      List<String> lines = out.lines().toList();
      assertThat(process.waitFor()).as("exit code, after %s", lines).isZero();
      return lines;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}

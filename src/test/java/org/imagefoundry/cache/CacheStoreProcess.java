package org.imagefoundry.cache;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.springframework.util.unit.DataSize;

/**
 * A second process on the data directory of {@link CacheStoreTest}: {@code fill <data-dir> <digest> <fills-file>}
 * fills the key (noting the fill in the fills file) and prints whether it filled and what it then read;
 * {@code evict <data-dir> <digest>} evicts with a limit of nothing and prints whether the entry is left.
 */
public final class CacheStoreProcess {

  private CacheStoreProcess() {}

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[1]);
    CacheKey key = new CacheKey(CacheStoreTest.LAYER, args[2], "two processes");
    if (args[0].equals("evict")) {
      CacheStore store = CacheStoreTest.store(data, DataSize.ofBytes(0));
      store.evict();
      System.out.println("left=" + store.contains(key));
      return;
    }
    CacheStore store = CacheStoreTest.store(data, DataSize.ofGigabytes(1));
    boolean filled = store.fill(key, "child", Duration.ofMinutes(5), staging -> {
      Files.writeString(Path.of(args[3]), "child\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      Files.writeString(staging.resolve("content"), "child");
    });
    String seen = store.read(key, "child", Duration.ZERO, entry -> Files.readString(entry.resolve("content"))).orElse("nothing");
    System.out.println("filled=" + filled + " seen=" + seen);
  }
}

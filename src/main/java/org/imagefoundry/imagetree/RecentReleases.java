package org.imagefoundry.imagetree;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The Release files this node fetched lately: a lookup within {@code image-foundry.cache.release-max-age}
 * (60 s; 0 turns it off) of the last fetch of the same file through the same proxies takes those bytes
 * instead of asking the repo again (about 100 ms for Debian's 150 KB InRelease here). A burst of builds
 * asks each repo once, and a build still sees a new archive state at most that long after the repo
 * published it. A failed fetch is not kept.
 */
@Component
public class RecentReleases {

  private record Fetched(byte[] content, long atNanos) {}

  private final long maxAgeNanos;
  private final LongSupplier nanoTime;
  private final Map<String, Fetched> fetched = new ConcurrentHashMap<>();

  @Autowired
  public RecentReleases(FoundrySettings settings) {
    this(settings.cache().releaseMaxAge(), System::nanoTime);
  }

  RecentReleases(Duration maxAge, LongSupplier nanoTime) {
    this.maxAgeNanos = maxAge.toNanos();
    this.nanoTime = nanoTime;
  }

  /** None kept: every lookup asks. */
  public static RecentReleases none() {
    return new RecentReleases(Duration.ZERO, System::nanoTime);
  }

  /** What was fetched under {@code key} within the max age, or what {@code fetch} gets now (then kept). */
  byte[] get(String key, Supplier<byte[]> fetch) {
    long asked = nanoTime.getAsLong();
    Fetched recent = fetched.get(key);
    if (recent != null && asked - recent.atNanos() < maxAgeNanos) {
      return recent.content();
    }
    byte[] content = fetch.get();
    if (maxAgeNanos > 0) {
      fetched.values().removeIf(old -> asked - old.atNanos() >= maxAgeNanos);
      fetched.put(key, new Fetched(content, asked));
    }
    return content;
  }
}

package org.imagefoundry.engine;

import java.time.Duration;
import java.time.Instant;

/**
 * What a node last said about itself: when, its slots, the free space of its build root and the sizes
 * of its caches. Kept as an engine property per node ({@code image-foundry.node.<name>}), so every
 * node (and Cockpit's database) sees every other.
 */
public record Heartbeat(String node, Instant at, int slots, long freeBytes, long baseCacheBytes,
    long packageCacheBytes) {

  /** A node that has not said anything for this long is down (six beats missed). */
  public static final Duration SILENCE = Duration.ofSeconds(30);
  static final String PROPERTY_PREFIX = "image-foundry.node.";

  public boolean aliveAt(Instant now) {
    return at.plus(SILENCE).isAfter(now);
  }
}

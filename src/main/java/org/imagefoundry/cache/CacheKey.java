package org.imagefoundry.cache;

import org.apache.commons.codec.digest.DigestUtils;

/**
 * An entry of the {@link CacheStore}: its layer (the directory of its kind: {@code base}, {@code layers},
 * {@code images}, {@code lists/<apt configuration>}), its name there, and what it stands for (kept beside
 * it as {@code key.txt}; null when the name says it all).
 */
public record CacheKey(String layer, String digest, String description) {

  /** The key of {@code description} in {@code layer}, named by its SHA-256. */
  public static CacheKey of(String layer, String description) {
    return new CacheKey(layer, DigestUtils.sha256Hex(description), description);
  }
}

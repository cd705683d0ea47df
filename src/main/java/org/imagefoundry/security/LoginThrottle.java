package org.imagefoundry.security;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Failed logins count against their source, not the account: a source with too many failures within a
 * window is refused until the window ends, whoever it names. So wrong passwords slow down whoever sends
 * them, and never keep the account's owner out (Camunda's own lockout is off, see application.yaml).
 * An attempt counts from before its password is checked, atomically, and stops counting once it has
 * succeeded: parallel attempts cannot slip past the count while the first ones are being checked.
 */
public class LoginThrottle {

  /** Above this many sources, the ones whose window has passed are dropped. */
  private static final int PURGE_ABOVE = 10_000;

  /** Attempts of a source that failed or are still being checked, since the first of its window. */
  private record Attempts(int count, Instant since) {}

  private final LoginThrottleSettings settings;
  private final Clock clock;
  private final ConcurrentMap<String, Attempts> attempts = new ConcurrentHashMap<>();

  public LoginThrottle(LoginThrottleSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * Counts an attempt of the source before its password is checked: zero when it may try (and the
   * attempt now counts, until {@link #succeeded}), else how long it must still wait (and nothing counts).
   */
  public Duration attempt(String source) {
    Instant now = clock.instant();
    Duration[] wait = {Duration.ZERO};
    // compute runs atomically per source: no two attempts both see the last free place
    attempts.compute(source, (key, recent) -> {
      if (recent == null || hasPassed(recent, now)) {
        return new Attempts(1, now);
      }
      if (recent.count() >= settings.maxFailures()) {
        wait[0] = Duration.between(now, recent.since().plus(settings.window()));
        return recent;
      }
      return new Attempts(recent.count() + 1, recent.since());
    });
    if (attempts.size() > PURGE_ABOVE) {
      attempts.values().removeIf(recent -> hasPassed(recent, now));
    }
    return wait[0];
  }

  /** The attempt's password was right: it no longer counts. One that failed keeps counting until its window ends. */
  public void succeeded(String source) {
    attempts.computeIfPresent(source, (key, recent) -> recent.count() <= 1 ? null
        : new Attempts(recent.count() - 1, recent.since()));
  }

  private boolean hasPassed(Attempts recent, Instant now) {
    return !now.isBefore(recent.since().plus(settings.window()));
  }

  /** The source of a request from this address: the address, or for IPv6 its /64 (one host's share). */
  public static String sourceOf(String remoteAddress) {
    try {
      InetAddress address = InetAddress.getByName(remoteAddress); // a literal: no name lookup
      if (address instanceof Inet6Address) {
        return HexFormat.of().formatHex(address.getAddress(), 0, 8) + "::/64";
      }
      return address.getHostAddress();
    } catch (UnknownHostException e) {
      return remoteAddress;
    }
  }
}

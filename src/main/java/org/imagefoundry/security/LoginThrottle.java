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
 */
public class LoginThrottle {

  /** Above this many sources, the ones whose window has passed are dropped. */
  private static final int PURGE_ABOVE = 10_000;

  private record Failures(int count, Instant since) {}

  private final LoginThrottleSettings settings;
  private final Clock clock;
  private final ConcurrentMap<String, Failures> failures = new ConcurrentHashMap<>();

  public LoginThrottle(LoginThrottleSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  /** How long the source must still wait before it may try again; zero when it may now. */
  public Duration blockedFor(String source) {
    Failures recent = failures.get(source);
    Instant now = clock.instant();
    if (recent == null || recent.count() < settings.maxFailures() || hasPassed(recent, now)) {
      return Duration.ZERO;
    }
    return Duration.between(now, recent.since().plus(settings.window()));
  }

  public void failed(String source) {
    Instant now = clock.instant();
    failures.compute(source, (key, recent) -> recent == null || hasPassed(recent, now)
        ? new Failures(1, now) : new Failures(recent.count() + 1, recent.since()));
    if (failures.size() > PURGE_ABOVE) {
      failures.values().removeIf(recent -> hasPassed(recent, now));
    }
  }

  private boolean hasPassed(Failures recent, Instant now) {
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

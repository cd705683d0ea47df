package org.imagefoundry.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Failures count per source, within a window; the window's end frees the source. */
class LoginThrottleTest {

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final TestClock clock = new TestClock();
  final LoginThrottle throttle = new LoginThrottle(new LoginThrottleSettings(3, Duration.ofSeconds(30)), clock);

  @Test
  void aSourceWithTooManyFailuresWaitsUntilItsWindowEndsAndOthersDoNot() {
    throttle.failed("10.0.0.1");
    throttle.failed("10.0.0.1");
    assertThat(throttle.blockedFor("10.0.0.1")).isZero();
    clock.now = clock.now.plusSeconds(10);
    throttle.failed("10.0.0.1");

    assertThat(throttle.blockedFor("10.0.0.1")).isEqualTo(Duration.ofSeconds(20));
    assertThat(throttle.blockedFor("10.0.0.2")).isZero();

    clock.now = clock.now.plusSeconds(20);
    assertThat(throttle.blockedFor("10.0.0.1")).isZero();
    throttle.failed("10.0.0.1");
    assertThat(throttle.blockedFor("10.0.0.1")).as("a new window").isZero();
  }

  @Test
  void failuresSpreadOverTimeNeverAddUp() {
    for (int i = 0; i < 100; i++) {
      throttle.failed("10.0.0.1");
      clock.now = clock.now.plusSeconds(15);
    }
    assertThat(throttle.blockedFor("10.0.0.1")).isZero();
  }

  @Test
  void anIpv6HostIsOneSourceForItsWholeSlash64() {
    assertThat(LoginThrottle.sourceOf("2001:db8:1:2:aaaa::1")).isEqualTo(LoginThrottle.sourceOf("2001:db8:1:2::ffff"))
        .isNotEqualTo(LoginThrottle.sourceOf("2001:db8:1:3::1"));
    assertThat(LoginThrottle.sourceOf("192.0.2.7")).isEqualTo("192.0.2.7");
  }
}

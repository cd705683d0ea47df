package org.imagefoundry.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Attempts count per source from before their check, within a window; success uncounts one, the window's end frees the source. */
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
    assertThat(throttle.attempt("10.0.0.1")).isZero();
    assertThat(throttle.attempt("10.0.0.1")).isZero();
    clock.now = clock.now.plusSeconds(10);
    assertThat(throttle.attempt("10.0.0.1")).isZero();

    assertThat(throttle.attempt("10.0.0.1")).isEqualTo(Duration.ofSeconds(20));
    assertThat(throttle.attempt("10.0.0.2")).isZero();

    clock.now = clock.now.plusSeconds(20);
    assertThat(throttle.attempt("10.0.0.1")).as("a new window").isZero();
  }

  @Test
  void aSucceededAttemptNoLongerCounts() {
    for (int i = 0; i < 10; i++) {
      assertThat(throttle.attempt("10.0.0.1")).isZero();
      throttle.succeeded("10.0.0.1");
    }
    assertThat(throttle.attempt("10.0.0.1")).isZero();
    assertThat(throttle.attempt("10.0.0.1")).isZero();
    assertThat(throttle.attempt("10.0.0.1")).isZero();
    assertThat(throttle.attempt("10.0.0.1")).as("three failed").isPositive();
  }

  @Test
  void failuresSpreadOverTimeNeverAddUp() {
    for (int i = 0; i < 100; i++) {
      assertThat(throttle.attempt("10.0.0.1")).isZero();
      clock.now = clock.now.plusSeconds(15);
    }
  }

  @Test
  void parallelAttemptsGetNoMoreThanTheAllowedNumberOfChecks() throws Exception {
    int threads = 200;
    var start = new java.util.concurrent.CountDownLatch(1);
    var admitted = new java.util.concurrent.atomic.AtomicInteger();
    var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    for (int i = 0; i < threads; i++) {
      pool.submit(() -> {
        start.await();
        if (throttle.attempt("10.0.0.1").isZero()) {
          admitted.incrementAndGet();
        }
        return null;
      });
    }
    start.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
    assertThat(admitted).hasValue(3);
  }

  @Test
  void anIpv6HostIsOneSourceForItsWholeSlash64() {
    assertThat(LoginThrottle.sourceOf("2001:db8:1:2:aaaa::1")).isEqualTo(LoginThrottle.sourceOf("2001:db8:1:2::ffff"))
        .isNotEqualTo(LoginThrottle.sourceOf("2001:db8:1:3::1"));
    assertThat(LoginThrottle.sourceOf("192.0.2.7")).isEqualTo("192.0.2.7");
  }
}

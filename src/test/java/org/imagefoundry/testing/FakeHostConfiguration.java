package org.imagefoundry.testing;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/** Puts a {@link FakeHost} in place of the real command runner and mount table, and lets tests fail tasks. */
@TestConfiguration
public class FakeHostConfiguration {

  @Bean
  @Primary
  public FakeHost fakeHost() {
    return new FakeHost();
  }

  @Bean
  public static DelegateSpy delegateSpy() {
    return new DelegateSpy();
  }
}

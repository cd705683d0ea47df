package org.imagefoundry.engine;

import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/** The retry cycle of every task ({@code ${retryPolicy.cycle}} in the diagram), from configuration. */
@Component("retryPolicy")
public class RetryPolicy {

  private final String cycle;

  public RetryPolicy(FoundrySettings settings) {
    this.cycle = settings.retryCycle();
  }

  public String getCycle() {
    return cycle;
  }
}

package org.imagefoundry.engine;

import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/**
 * The retry cycle of every asynchronous job of the diagram (each task is {@code asyncBefore}), from
 * configuration ({@code image-foundry.retry-cycle}), set once as the engine's: the diagram names none,
 * and a task that named its own would override it (processes/BuildImageDiagramTest forbids that). The
 * engine reads it as it parses a deployment.
 */
@Component
public class RetryPolicy extends AbstractProcessEnginePlugin {

  private final String cycle;

  public RetryPolicy(FoundrySettings settings) {
    this.cycle = settings.retryCycle();
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    configuration.setFailedJobRetryTimeCycle(cycle);
  }

  public String cycle() {
    return cycle;
  }
}

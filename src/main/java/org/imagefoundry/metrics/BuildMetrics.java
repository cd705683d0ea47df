package org.imagefoundry.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.imagefoundry.process.BuildProcess;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * The builds' metrics on /actuator/prometheus (Camunda 7 CE has no Micrometer binding). The diagram's
 * process-level listener {@code ${buildMetrics}} counts starts and outcomes; every step reports its
 * duration and failures; publishing reports image sizes; running builds and incidents are counted in
 * the engine at each scrape.
 */
@Component("buildMetrics")
public class BuildMetrics implements ExecutionListener {


  private final MeterRegistry registry;

  public BuildMetrics(MeterRegistry registry, @Lazy RuntimeService runtime, @Lazy HistoryService history) {
    this.registry = registry;
    Gauge.builder("imagefoundry.builds.running", () ->
            history.createHistoricProcessInstanceQuery().processDefinitionKey("buildImage").unfinished().count())
        .description("builds started and not ended, in incident or queued included").register(registry);
    Gauge.builder("imagefoundry.builds.incidents", () ->
            runtime.createIncidentQuery().processDefinitionKeyIn("buildImage").count())
        .description("open incidents of builds").register(registry);
  }

  /** Process start and end, from the diagram. */
  @Override
  public void notify(DelegateExecution execution) {
    if (EVENTNAME_START.equals(execution.getEventName())) {
      Counter.builder("imagefoundry.builds.started").description("builds started").register(registry).increment();
    } else if (EVENTNAME_END.equals(execution.getEventName())) {
      String end = execution.getCurrentActivityId();
      ended(end != null && BuildProcess.END_EVENTS.contains(end) ? end : "cancelled");
    }
  }

  void ended(String outcome) {
    Counter.builder("imagefoundry.builds.ended").tag("outcome", outcome).description("builds ended, by outcome")
        .register(registry).increment();
  }

  public void phaseTook(String phase, Duration took) {
    Timer.builder("imagefoundry.phase.duration").tag("phase", phase).publishPercentileHistogram()
        .description("time each phase took").register(registry).record(took);
  }

  public void phaseFailed(String phase) {
    Counter.builder("imagefoundry.phase.failures").tag("phase", phase)
        .description("failed attempts of a phase (commands that failed, time-outs)").register(registry).increment();
  }

  public void imagePublished(long rawBytes, long containerBytes) {
    DistributionSummary.builder("imagefoundry.image.size").tag("kind", "raw").baseUnit("bytes")
        .description("published image sizes").register(registry).record(rawBytes);
    DistributionSummary.builder("imagefoundry.image.size").tag("kind", "container").baseUnit("bytes")
        .description("published image sizes").register(registry).record(containerBytes);
  }
}

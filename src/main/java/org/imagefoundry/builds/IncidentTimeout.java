package org.imagefoundry.builds;

import java.time.Duration;
import java.util.Date;
import java.util.Optional;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.Incident;
import org.imagefoundry.engine.NodeIdentity;
import org.imagefoundry.process.BuildProcess;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.settings.FoundrySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Cancels a build left in incident longer than {@code image-foundry.incident-timeout}, the same way an
 * operator would, so a forgotten build cannot hold loop devices and mounts forever. Each node looks
 * after the builds it carries out, so every build's time-out is handled once, by one node.
 */
@Component
public class IncidentTimeout {

  private static final Logger LOG = LoggerFactory.getLogger(IncidentTimeout.class);

  private final RuntimeService runtime;
  private final HistoryService history;
  private final BuildService builds;
  private final Duration timeout;
  private final NodeIdentity node;

  public IncidentTimeout(RuntimeService runtime, HistoryService history, BuildService builds, FoundrySettings settings,
      NodeIdentity node) {
    this.runtime = runtime;
    this.node = node;
    this.history = history;
    this.builds = builds;
    this.timeout = settings.incidentTimeout();
  }

  @Scheduled(fixedDelayString = "PT1M", initialDelayString = "PT1M")
  public void cancelExpired() {
    Date cutoff = new Date(ClockUtil.getCurrentTime().getTime() - timeout.toMillis());
    for (Incident incident : runtime.createIncidentQuery().processDefinitionKeyIn(BuildProcess.KEY)
        .incidentTimestampBefore(cutoff).list()) {
      var instance = history.createHistoricProcessInstanceQuery().processInstanceId(incident.getProcessInstanceId())
          .singleResult();
      if (instance == null || instance.getBusinessKey() == null
          || !BuildVariables.of(runtime, incident.getProcessInstanceId()).node().equals(Optional.of(node.name()))) {
        continue;
      }
      LOG.warn("build {} has been in incident since {}: cancelling it", instance.getBusinessKey(),
          incident.getIncidentTimestamp());
      builds.cancel(instance.getBusinessKey(), "cancelled: in incident longer than " + timeout + " ("
          + incident.getActivityId() + ": " + incident.getIncidentMessage() + ")");
    }
  }
}

package org.imagefoundry.engine;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cfg.TransactionState;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.incident.DefaultIncidentHandler;
import org.camunda.bpm.engine.impl.incident.IncidentContext;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.runtime.Incident;
import org.imagefoundry.process.BuildProcess;
import org.imagefoundry.process.BuildVariables;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * A build in incident gives back its slot (it keeps its loop devices and mounts: {@link BuildSlots}
 * does not count it), and takes one again when its failed step is retried. Every retry of a failed job
 * resolves its incident here, whoever asks (our API, Cockpit, the engine REST API): when the build's node
 * has no free slot, the retry is refused and the build stays in incident, to be retried later. An
 * incident wakes the node's queue at once, as the end of a build does.
 */
@Component
public class IncidentSlots extends AbstractProcessEnginePlugin {

  /** Thrown by a retry while the build's node has every slot in use. */
  public static class NoFreeSlot extends BadUserRequestException {
    NoFreeSlot(String message) {
      super(message);
    }
  }

  private final BuildSlots slots;
  private final QueuedBuilds queue;

  public IncidentSlots(BuildSlots slots, @Lazy QueuedBuilds queue) {
    this.slots = slots;
    this.queue = queue;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    List<org.camunda.bpm.engine.impl.incident.IncidentHandler> handlers = new ArrayList<>();
    if (configuration.getCustomIncidentHandlers() != null) {
      handlers.addAll(configuration.getCustomIncidentHandlers());
    }
    handlers.add(new FailedJobs());
    configuration.setCustomIncidentHandlers(handlers);
  }

  /** Camunda's handler of failed jobs, with the slot taken back on a retry and the queue woken on a failure. */
  private final class FailedJobs extends DefaultIncidentHandler {

    FailedJobs() {
      super(Incident.FAILED_JOB_HANDLER_TYPE);
    }

    @Override
    public Incident handleIncident(IncidentContext context, String message) {
      Incident incident = super.handleIncident(context, message);
      Context.getCommandContext().getTransactionContext()
          .addTransactionListener(TransactionState.COMMITTED, commandContext -> queue.wake());
      return incident;
    }

    @Override
    public void resolveIncident(IncidentContext context) {
      // the engine resolves on every change of a job's retries (a new job's too): only a real incident is a retry
      boolean inIncident = context.getConfiguration() != null && !Context.getCommandContext().getIncidentManager()
          .findIncidentByConfigurationAndIncidentType(context.getConfiguration(), getIncidentHandlerType()).isEmpty();
      String node = inIncident ? nodeOfBuild(context) : null;
      // the build is still in incident here, so it is not among the slots in use
      if (node != null && slots.inUse(node) >= slots.slots()) {
        throw new NoFreeSlot("node " + node + " has no free build slot (image-foundry.max-concurrent-builds "
            + slots.slots() + "): the build stays in incident; retry it when a build has ended");
      }
      super.resolveIncident(context);
    }

    /** The node that carries out the build of this incident; null for any other job. */
    private String nodeOfBuild(IncidentContext context) {
      if (context.getExecutionId() == null) {
        return null;
      }
      ExecutionEntity execution = Context.getCommandContext().getExecutionManager()
          .findExecutionById(context.getExecutionId());
      if (execution == null || execution.getProcessInstance() == null
          || !BuildProcess.KEY.equals(execution.getProcessDefinition().getKey())) {
        return null;
      }
      return BuildVariables.of(execution.getProcessInstance()).node().orElse(null);
    }
  }
}

package org.imagefoundry.engine;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.camunda.bpm.engine.impl.ProcessEngineImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandExecutor;
import org.camunda.bpm.engine.impl.jobexecutor.ExecuteJobsRunnable;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutorContext;
import org.camunda.bpm.engine.impl.jobexecutor.JobFailureCollector;
import org.camunda.bpm.engine.impl.jobexecutor.NotifyAcquisitionRejectedJobsHandler;
import org.camunda.bpm.engine.spring.components.jobexecutor.SpringJobExecutor;
import org.springframework.core.task.TaskExecutor;

/**
 * Camunda's Spring job executor, telling {@link RunningJobs} which jobs it has taken on: from the moment
 * acquisition hands them over (a rejected batch stays taken: acquisition submits it again) until their
 * execution has ended, and the next job of the same build that a commit queued on the same thread.
 */
public class TrackingJobExecutor extends SpringJobExecutor {

  private final RunningJobs running;

  public TrackingJobExecutor(TaskExecutor taskExecutor, RunningJobs running) {
    this.running = running;
    setTaskExecutor(taskExecutor);
    setRejectedJobsHandler(new NotifyAcquisitionRejectedJobsHandler());
  }

  @Override
  public void executeJobs(List<String> jobIds, ProcessEngineImpl processEngine) {
    running.add(jobIds);
    super.executeJobs(jobIds, processEngine);
  }

  @Override
  public Runnable getExecuteJobsRunnable(List<String> jobIds, ProcessEngineImpl processEngine) {
    return new TrackedRunnable(jobIds, processEngine, running);
  }

  /** Executes a batch; every job it ran or queued is released from {@link RunningJobs} when it is done. */
  static class TrackedRunnable extends ExecuteJobsRunnable {

    private final RunningJobs running;
    private final Set<String> taken;

    TrackedRunnable(List<String> jobIds, ProcessEngineImpl processEngine, RunningJobs running) {
      super(jobIds, processEngine);
      this.running = running;
      this.taken = new LinkedHashSet<>(jobIds);
    }

    @Override
    public void run() {
      try {
        super.run();
      } finally {
        running.remove(taken);
      }
    }

    @Override
    protected void executeJob(String jobId, CommandExecutor commandExecutor, JobFailureCollector failures) {
      try {
        super.executeJob(jobId, commandExecutor, failures);
      } finally {
        // a commit may have locked the build's next job for this thread: it is ours until it has run
        JobExecutorContext context = Context.getJobExecutorContext();
        List<String> queued = context == null ? List.of() : new ArrayList<>(context.getCurrentProcessorJobQueue());
        running.add(queued);
        taken.addAll(queued);
        running.remove(List.of(jobId));
      }
    }
  }
}

package org.imagefoundry.steps;

import java.time.Duration;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.imagefoundry.host.BuildFailure;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.ChrootProcesses;
import org.imagefoundry.host.FreeSpace;
import org.imagefoundry.host.Workspaces;
import org.imagefoundry.metrics.BuildMetrics;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.spec.VariableCheck;
import org.slf4j.MDC;

/**
 * What every task's delegate shares: the build id and phase in the log context, the phase's start and
 * end in the build log, {@link #stopLeftoverProcessesOfTheBuild} before the step's own work, and the
 * failure policy of the diagram: a {@link BuildFailure} ends the build through the BPMN error
 * {@code buildFailed}; any other exception fails the job, which the engine retries per its retry cycle
 * (engine.RetryPolicy) and then turns into an incident naming the phase.
 */
public abstract class BuildStep implements JavaDelegate {

  private final Workspaces workspaces;
  private final ChrootProcesses processes;
  private final FreeSpace freeSpace;
  private final BuildMetrics metrics;
  private final VariableCheck variables;

  protected BuildStep(StepSupport support) {
    this.workspaces = support.workspaces();
    this.processes = support.processes();
    this.freeSpace = support.freeSpace();
    this.metrics = support.metrics();
    this.variables = support.variables();
  }

  protected abstract void run(Build build);

  private BpmnError unrecoverable(String phase, BuildFailure e) {
    metrics.phaseFailed(phase);
    BuildLog.warn("phase {} failed, the build cannot go on: {}", phase, e.getMessage());
    return new BpmnError(BuildVariables.BUILD_FAILED, phase + ": " + e.getMessage(), e);
  }

  /**
   * Before every step, this one's own and every compensation handler: stops every process of the build
   * (rooted in its chroot, or tagged with it; see host.ChrootProcesses), SIGTERM rounds then SIGKILL.
   * After a crash, a command of this build may still run, orphaned: it must not run beside its retry; and
   * daemons a package started in the chroot are gone before any step unmounts.
   */
  private void stopLeftoverProcessesOfTheBuild(Build build) {
    int leftovers = processes.stop(build.workspace());
    if (leftovers > 0) {
      BuildLog.warn("killed {} leftover process(es) of the build", leftovers);
    }
  }

  @Override
  public final void execute(DelegateExecution execution) {
    String phase = execution.getCurrentActivityId();
    long started = System.nanoTime();
    try {
      // a missing or mistyped build id fails the step (retries, then an incident naming it) as any other variable
      MDC.put(BuildLog.BUILD_ID, BuildVariables.of(execution).buildId());
      MDC.put(BuildLog.PHASE, phase);
      BuildLog.info("phase {} started", phase);
      execution.setVariable(BuildVariables.PHASE, phase);
      var build = Build.of(execution, workspaces, variables);
      stopLeftoverProcessesOfTheBuild(build);
      run(build);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      metrics.phaseTook(phase, took);
      BuildLog.info("phase {} finished after {} ms", phase, took.toMillis());
    } catch (BuildFailure e) {
      throw unrecoverable(phase, e);
    } catch (RuntimeException e) {
      metrics.phaseFailed(phase);
      if (freeSpace.isLow()) {
        // a full disk shows as I/O errors inside the loop filesystems: retrying cannot help
        throw unrecoverable(phase, new BuildFailure("no space left in the build root: " + e.getMessage(), e));
      }
      BuildLog.warn("phase {} failed: {}", phase, e.getMessage());
      throw new StepFailedException(phase, e);
    } finally {
      MDC.remove(BuildLog.PHASE);
      MDC.remove(BuildLog.BUILD_ID);
    }
  }
}

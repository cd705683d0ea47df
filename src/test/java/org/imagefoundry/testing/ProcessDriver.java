package org.imagefoundry.testing;

import java.util.Date;
import java.util.List;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.imagefoundry.engine.SlotClaims;

/**
 * Runs a build's jobs one at a time, as the job executor would, with the clock moved a second ahead
 * before each (retry back-offs become due, and every step gets its own timestamp).
 */
public class ProcessDriver {

  private final ProcessEngine engine;
  private final ManagementService management;
  private final Runnable claimSlot;

  /** {@code claims}: the node's, which claims a build waiting for a slot before its next step. */
  public ProcessDriver(ProcessEngine engine, SlotClaims claims) {
    this(engine, claims::claim);
  }

  /**
   * {@code claimSlot}: what gives a build waiting for a slot its slot before its next step; on the engine
   * alone, the message {@code buildSlotFree} that a node's claim would send.
   */
  public ProcessDriver(ProcessEngine engine, Runnable claimSlot) {
    this.engine = engine;
    this.management = engine.getManagementService();
    this.claimSlot = claimSlot;
  }

  /**
   * Executes the next due job; returns false when none is left. A failing job's exception is swallowed.
   * A build waiting for a slot is first claimed by this node, as its scheduler would.
   */
  public boolean step(ProcessInstance instance) {
    tick();
    List<Job> jobs = management.createJobQuery().processInstanceId(instance.getId()).executable().list();
    if (jobs.isEmpty() && waitsForASlot(instance)) {
      claimSlot.run();
      jobs = management.createJobQuery().processInstanceId(instance.getId()).executable().list();
    }
    if (jobs.isEmpty()) {
      return false;
    }
    try {
      management.executeJob(jobs.get(0).getId());
    } catch (RuntimeException e) {
      // a failed job keeps its retries count; an incident appears when it reaches zero
    }
    return true;
  }

  /** Runs jobs until the process ends or waits in an incident. */
  public void run(ProcessInstance instance) {
    for (int i = 0; i < 500 && step(instance); i++) {
      // keep going
    }
  }

  /** Runs jobs until the build waits before {@code activityId} (its job is next). */
  public void runUntil(ProcessInstance instance, String activityId) {
    for (int i = 0; i < 500; i++) {
      if (waitsForASlot(instance)) {
        claimSlot.run();
      }
      var jobs = management.createJobQuery().processInstanceId(instance.getId()).executable();
      if (jobs.count() == 0 || jobs.activityId(activityId).count() > 0) {
        return;
      }
      step(instance);
    }
  }

  /** The activities the build went through, in the order they started. */
  public List<String> activities(ProcessInstance instance) {
    return engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(instance.getId())
        .orderPartiallyByOccurrence().asc().list().stream()
        .map(HistoricActivityInstance::getActivityId).toList();
  }

  public boolean waitsForASlot(ProcessInstance instance) {
    return engine.getRuntimeService().createExecutionQuery().processInstanceId(instance.getId())
        .activityId("waitForBuildSlot").count() > 0;
  }

  private static void tick() {
    ClockUtil.setCurrentTime(new Date(ClockUtil.getCurrentTime().getTime() + 1000));
  }

  public static void resetClock() {
    ClockUtil.reset();
  }
}

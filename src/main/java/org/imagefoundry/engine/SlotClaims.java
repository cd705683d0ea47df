package org.imagefoundry.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.migration.MigrationPlan;
import org.imagefoundry.process.BuildProcess;
import org.imagefoundry.process.BuildVariables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Lazy;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A node with a free slot takes the oldest build of the cluster that waits at <i>Wait for a build
 * slot</i>: in one transaction it moves the build onto its own deployment (process instance migration,
 * when the build is on another) and sends it the message {@code buildSlotFree} with {@code node} = its
 * name. Two nodes claiming the same build collide on the build's rows: one commits, the other's whole
 * transaction rolls back (optimistic locking, or the unique key of the build's variables) and it takes
 * the next build. Called when a build ends or
 * is submitted here, and every two seconds for builds submitted elsewhere or freed on another node.
 */
@Component
public class SlotClaims {

  private static final Logger LOG = LoggerFactory.getLogger(SlotClaims.class);
  private static final int ATTEMPTS = 20;

  private final RuntimeService runtime;
  private final HistoryService history;
  private final BuildSlots slots;
  private final NodeDeployment deployment;
  private final NodeIdentity node;
  private final TransactionTemplate transactions;
  private final Map<String, MigrationPlan> plans = new HashMap<>();

  public SlotClaims(@Lazy RuntimeService runtime, @Lazy HistoryService history, BuildSlots slots,
      NodeDeployment deployment, NodeIdentity node, @Lazy PlatformTransactionManager transactionManager) {
    this.runtime = runtime;
    this.history = history;
    this.slots = slots;
    this.deployment = deployment;
    this.node = node;
    this.transactions = new TransactionTemplate(transactionManager);
  }

  /** Claims waiting builds, oldest first, while this node has a free slot; returns their build ids. */
  public synchronized List<String> claim() {
    List<String> claimed = new java.util.ArrayList<>();
    for (int attempt = 0; attempt < ATTEMPTS && slots.free() > 0; attempt++) {
      List<HistoricProcessInstance> oldest = history.createHistoricProcessInstanceQuery()
          .processDefinitionKey(BuildProcess.KEY).unfinished().activeActivityIdIn(BuildProcess.WAIT_FOR_BUILD_SLOT)
          .orderByProcessInstanceStartTime().asc().listPage(0, 1);
      if (oldest.isEmpty()) {
        break;
      }
      HistoricProcessInstance build = oldest.get(0);
      try {
        transactions.executeWithoutResult(status -> take(build.getId()));
        claimed.add(build.getBusinessKey());
        LOG.info("node {} claimed build {}", node.name(), build.getBusinessKey());
      } catch (ProcessEngineException e) {
        // another node took it first: optimistic locking, or on the variable's unique key (PostgreSQL) or a lock
        // timeout (H2) when both wrote at once; or it was cancelled meanwhile. Nothing of ours was committed.
        LOG.debug("build {} was claimed or cancelled meanwhile: {}", build.getBusinessKey(), e.getMessage());
      }
    }
    return claimed;
  }

  /** {@link #claim()}, logging rather than throwing a failure (the database is away): the next claim tries again. */
  @Scheduled(fixedDelayString = "${image-foundry.claim-interval:PT2S}", initialDelayString = "${image-foundry.claim-interval:PT2S}")
  public void claimQuietly() {
    try {
      claim();
    } catch (RuntimeException e) {
      LOG.warn("claiming waiting builds failed; trying again within seconds: {}", e.getMessage());
    }
  }

  private void take(String processInstanceId) {
    String current = runtime.createProcessInstanceQuery().processInstanceId(processInstanceId).singleResult()
        .getProcessDefinitionId();
    moveOntoThisNode(processInstanceId, current);
    runtime.createMessageCorrelation(BuildVariables.SLOT_MESSAGE).processInstanceId(processInstanceId)
        .setVariable(BuildVariables.NODE, node.name()).correlateWithResult();
  }

  /** Moves a build that waits for a slot (or is being cancelled while it waits) onto this node's deployment. */
  public void moveOntoThisNode(String processInstanceId, String currentDefinitionId) {
    String target = deployment.definitionId();
    if (!target.equals(currentDefinitionId)) {
      runtime.newMigration(plan(currentDefinitionId, target)).processInstanceIds(processInstanceId).execute();
    }
  }

  private synchronized MigrationPlan plan(String from, String to) {
    return plans.computeIfAbsent(from + ">" + to,
        key -> runtime.createMigrationPlan(from, to).mapEqualActivities().updateEventTriggers().build());
  }
}

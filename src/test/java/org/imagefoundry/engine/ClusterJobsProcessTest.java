package org.imagefoundry.engine;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cmd.AcquireJobsCmd;
import org.camunda.bpm.engine.impl.jobexecutor.AcquiredJobs;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.imagefoundry.ImageFoundryApplication;
import org.imagefoundry.builds.BuildQueries;
import org.imagefoundry.builds.BuildService;
import org.imagefoundry.builds.Evacuation;
import org.imagefoundry.host.BuildIds;
import org.imagefoundry.process.BuildProcess;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.testing.FakeHostConfiguration;
import org.imagefoundry.testing.ProcessDriver;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.users.Caller;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.TestPropertySource;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes of one cluster in one JVM, on one database: this test's context is node-a, and a second
 * whole service, node-b, is started beside it. Their job executors do not run; the test runs each
 * node's job acquisition (Camunda's own command, with the node's lock owner and registered deployments)
 * and looks at what each gets: a build's jobs only on the node that claimed it, a job of no deployment
 * (history cleanup) on exactly one, and a waiting build claimed by exactly one of two nodes that race
 * for it.
 */
@ProcessTest
@TestPropertySource(properties = {"image-foundry.max-concurrent-builds=1",
    "spring.datasource.url=jdbc:h2:mem:cluster-jobs-test;DB_CLOSE_DELAY=-1",
    "image-foundry.build-root=${java.io.tmpdir}/image-foundry-cluster-jobs-test/node-a/build",
    "image-foundry.node-name=node-a",
    // the nodes claim only when the test says so (and when a build is submitted)
    "image-foundry.claim-interval=PT1H",
    "camunda.bpm.process-engine-name=clusterNodeA"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterJobsProcessTest {

  static final Caller ADMIN = new Caller("admin", true);

  @Autowired ProcessEngine engineA;
  @Autowired BuildService buildsA;
  @Autowired BuildQueries queriesA;
  @Autowired SlotClaims claimsA;
  @Autowired org.imagefoundry.settings.FoundrySettings settingsA;
  @Autowired org.springframework.context.ApplicationContext nodeA;

  ConfigurableApplicationContext nodeB;
  ProcessEngine engineB;
  SlotClaims claimsB;

  @BeforeAll
  void startNodeB() {
    Requests.clean(settingsA);
    nodeB = new SpringApplicationBuilder(ImageFoundryApplication.class, FakeHostConfiguration.class).run(
        "--server.port=0",
        "--camunda.bpm.job-execution.enabled=false",
        // Cockpit's state is static, one per JVM: node-b's closing must not take it from the other test contexts
        "--camunda.bpm.webapp.enabled=false",
        "--spring.datasource.url=jdbc:h2:mem:cluster-jobs-test;DB_CLOSE_DELAY=-1",
        "--camunda.bpm.process-engine-name=clusterNodeB",
        "--image-foundry.node-name=node-b",
        "--image-foundry.claim-interval=PT1H",
        "--image-foundry.max-concurrent-builds=1",
        "--image-foundry.data-dir=${java.io.tmpdir}/image-foundry-cluster-jobs-test/node-b/data",
        "--image-foundry.build-root=${java.io.tmpdir}/image-foundry-cluster-jobs-test/node-b/build",
        "--image-foundry.allowed-output-roots=" + settingsA.allowedOutputRoots().get(0),
        "--image-foundry.default-mirror=http://127.0.0.1:9/debian",
        "--image-foundry.cache.enabled=false",
        "--image-foundry.health.min-free-space=1MB",
        "--image-foundry.admin.password=" + ProcessTest.ADMIN_PASSWORD);
    engineB = nodeB.getBean(ProcessEngine.class);
    claimsB = nodeB.getBean(SlotClaims.class);
  }

  @AfterAll
  void resetClock() {
    ProcessDriver.resetClock();
  }

  @AfterAll
  void stopNodeB() {
    if (nodeB != null) {
      nodeB.close();
    }
  }

  @Test
  @Order(1)
  void eachBuildsJobsGoToItsNodeAndAJobOfNoDeploymentToExactlyOne() {
    String onA = buildsA.start(Requests.twoImages(settingsA), ADMIN); // node-a has its slot free: it claims this one
    String onB = buildsA.start(Requests.twoImagesIn(settingsA, "on-b").replace("\"less\"", "\"less\", \"vim-tiny\""), ADMIN);
    assertThat(queriesA.find(onB).orElseThrow().node()).as("node-a's only slot is taken").isNull();
    assertThat(claimsB.claim()).containsExactly(onB);
    Job cleanup = engineA.getHistoryService().cleanUpHistoryAsync(true);

    AcquiredJobs byB = acquire(engineB);
    AcquiredJobs byA = acquire(engineA);

    assertThat(byA.contains(jobOf(onA).getId())).isTrue();
    assertThat(byA.contains(jobOf(onB).getId())).isFalse();
    assertThat(byB.contains(jobOf(onB).getId())).isTrue();
    assertThat(byB.contains(jobOf(onA).getId())).isFalse();
    assertThat(cleanup.getDeploymentId()).isNull();
    assertThat(List.of(byA.contains(cleanup.getId()), byB.contains(cleanup.getId())))
        .as("the history cleanup job: taken by node-b, which asked first, and so not by node-a").containsExactly(false, true);
    assertThat(queriesA.find(onA).orElseThrow().node()).isEqualTo("node-a");
    assertThat(queriesA.find(onB).orElseThrow().node()).isEqualTo("node-b");

    // node-b runs its build's next step: the history job log names node-b as its host
    engineB.getManagementService().executeJob(jobOf(onB).getId());
    assertThat(engineA.getHistoryService().createHistoricJobLogQuery().processInstanceId(instance(onB).getId())
        .successLog().list()).extracting(log -> log.getHostname()).containsOnly("node-b");
    engineA.getRuntimeService().deleteProcessInstance(instance(onA).getId(), "test over", true, true);
    engineA.getRuntimeService().deleteProcessInstance(instance(onB).getId(), "test over", true, true);
  }

  @Test
  @Order(2)
  void twoNodesRacingForOneWaitingBuildClaimItOnce() throws Exception {
    // started past the claim a submission makes, so that it waits while both nodes have a slot free
    var prepared = buildsA.prepare(Requests.twoImages(settingsA), ADMIN, BuildIds.newId());
    engineA.getRuntimeService().createProcessInstanceByKey(BuildProcess.KEY).businessKey(prepared.id())
        .setVariables(prepared.variables()).execute();
    CyclicBarrier together = new CyclicBarrier(2);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      List<Future<List<String>>> claims = new ArrayList<>();
      for (SlotClaims node : List.of(claimsA, claimsB)) {
        claims.add(threads.submit(() -> {
          together.await();
          return node.claim();
        }));
      }
      List<String> claimed = new ArrayList<>();
      for (Future<List<String>> claim : claims) {
        claimed.addAll(claim.get());
      }
      assertThat(claimed).containsExactly(prepared.id());
      String node = (String) engineA.getRuntimeService().getVariable(instance(prepared.id()).getId(), BuildVariables.NODE);
      assertThat(node).isIn("node-a", "node-b");
      String definition = instance(prepared.id()).getProcessDefinitionId();
      assertThat(engineA.getRepositoryService().getProcessDefinition(definition).getDeploymentId())
          .isEqualTo(engineA.getRepositoryService().createDeploymentQuery()
              .deploymentName(NodeDeployment.deploymentName(node)).singleResult().getId());
    } finally {
      threads.shutdownNow();
      engineA.getRuntimeService().deleteProcessInstance(instance(prepared.id()).getId(), "test over", true, true);
    }
  }

  /**
   * node-b dies with a build halfway (loop devices attached); node-a evacuates it: the build goes back to
   * the queue without a node, node-a claims it (onto its own deployment, with the compensation of what
   * node-b had done) and runs it from its first step to the end. A node that still beats is refused.
   */
  @Test
  @Order(3)
  void anEvacuatedNodesBuildStartsAgainFromItsFirstStepOnAnotherNode() {
    Evacuation evacuation = nodeB.getBean(Evacuation.class);
    var prepared = buildsA.prepare(Requests.twoImages(settingsA), ADMIN, BuildIds.newId());
    engineA.getRuntimeService().createProcessInstanceByKey(BuildProcess.KEY).businessKey(prepared.id())
        .setVariables(prepared.variables()).execute();
    assertThat(claimsB.claim()).containsExactly(prepared.id());
    var onB = new ProcessDriver(engineB, claimsB);
    ProcessInstance build = instance(prepared.id());
    onB.runUntil(build, "makeFilesystems");
    nodeB.getBean(NodeHeartbeat.class).beat();
    assertThat(evacuation.evacuate("node-b").outcome()).as("node-b beats").isEqualTo(Evacuation.Outcome.NODE_ALIVE);
    assertThat(evacuation.evacuate("no-such-node").outcome()).isEqualTo(Evacuation.Outcome.UNKNOWN_NODE);

    nodeB.close();
    nodeB = null;
    // its last heartbeat was written at the latest at the engine clock's now: let its silence pass
    ClockUtil.setCurrentTime(new Date(ClockUtil.getCurrentTime().getTime() + Heartbeat.SILENCE.toMillis() + 1000));
    var result = nodeA.getBean(Evacuation.class).evacuate("node-b");

    assertThat(result.outcome()).isEqualTo(Evacuation.Outcome.DONE);
    assertThat(result.builds()).containsExactly(prepared.id());
    var queued = queriesA.find(prepared.id()).orElseThrow();
    assertThat(queued.node()).isNull();
    assertThat(queued.phase()).isEqualTo("waitForBuildSlot");
    assertThat(engineA.getRuntimeService().getVariable(build.getId(), BuildVariables.EVACUATED_FROM)).isEqualTo("node-b");
    assertThat(engineA.getManagementService().createJobQuery().processInstanceId(build.getId()).count()).isZero();

    new ProcessDriver(engineA, claimsA).run(build);
    assertThat(queriesA.find(prepared.id()).orElseThrow().state()).isEqualTo(org.imagefoundry.builds.BuildState.SUCCEEDED);
    assertThat(queriesA.find(prepared.id()).orElseThrow().node()).isEqualTo("node-a");
    assertThat(engineA.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(build.getId())
        .activityId("createChroot").count()).as("createChroot: on node-b, then again on node-a").isEqualTo(2);
    assertThat(engineA.getHistoryService().createHistoricJobLogQuery().processInstanceId(build.getId())
        .activityIdIn("createChroot").successLog().list()).extracting(log -> log.getHostname())
        .containsExactly("node-b", "node-a");
  }

  AcquiredJobs acquire(ProcessEngine engine) {
    var configuration = (ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration();
    return configuration.getCommandExecutorTxRequired()
        .execute(new AcquireJobsCmd(configuration.getJobExecutor(), 10));
  }

  ProcessInstance instance(String buildId) {
    return engineA.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(buildId).singleResult();
  }

  Job jobOf(String buildId) {
    return engineA.getManagementService().createJobQuery().processInstanceId(instance(buildId).getId()).singleResult();
  }
}

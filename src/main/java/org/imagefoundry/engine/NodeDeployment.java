package org.imagefoundry.engine;

import java.util.List;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.repository.Deployment;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.imagefoundry.process.BuildProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * This node's own deployment of the build process, {@code image-foundry@<node>}, and the only
 * deployments its deployment-aware job executor acquires jobs of (with jobs of no deployment: history
 * cleanup, batches). A build claimed by this node is moved onto this deployment's definition
 * ({@link SlotClaims}), so from then on no other node runs a step of it. Deployed again only when the
 * diagram changed; every earlier deployment of this node stays registered, so builds started on an
 * older version of the diagram go on here.
 */
@Component
public class NodeDeployment extends AbstractProcessEnginePlugin {

  static final String RESOURCE = "processes/build-image.bpmn";
  private static final Logger LOG = LoggerFactory.getLogger(NodeDeployment.class);

  private final NodeIdentity node;
  private volatile String definitionId;

  public NodeDeployment(NodeIdentity node) {
    this.node = node;
  }

  /** The deployment name of a node's build process. */
  public static String deploymentName(String node) {
    return "image-foundry@" + node;
  }

  @Override
  public void postProcessEngineBuild(ProcessEngine engine) {
    var repository = engine.getRepositoryService();
    Deployment deployed = repository.createDeployment().name(deploymentName(node.name()))
        .addClasspathResource(RESOURCE).enableDuplicateFiltering(false).deploy();
    List<Deployment> ours = repository.createDeploymentQuery().deploymentName(deploymentName(node.name())).list();
    ours.forEach(deployment -> engine.getManagementService().registerDeploymentForJobExecutor(deployment.getId()));
    ProcessDefinition latest = repository.createProcessDefinitionQuery().processDefinitionKey(BuildProcess.KEY)
        .deploymentId(newest(ours, deployed).getId()).singleResult();
    definitionId = latest.getId();
    LOG.info("node {}: build process {}, job executor acquires jobs of {} deployment(s) of this node", node.name(),
        definitionId, ours.size());
  }

  /** The definition builds claimed by this node run on. */
  public String definitionId() {
    if (definitionId == null) {
      throw new IllegalStateException("the process engine has not been built yet");
    }
    return definitionId;
  }

  private static Deployment newest(List<Deployment> ours, Deployment deployed) {
    return ours.stream().max(java.util.Comparator.comparing(Deployment::getDeploymentTime)
        .thenComparing(d -> d.getId().equals(deployed.getId()))).orElse(deployed);
  }
}

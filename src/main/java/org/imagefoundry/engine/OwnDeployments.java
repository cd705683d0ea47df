package org.imagefoundry.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.persistence.deploy.Deployer;
import org.camunda.bpm.engine.impl.persistence.entity.DeploymentEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ResourceEntity;
import org.springframework.stereotype.Component;

/**
 * The engine runs only the service's own diagram: a deployment is refused unless it is a node's
 * deployment ({@link NodeDeployment#deploymentName}) whose one resource is, byte for byte, the diagram
 * this service carries. A diagram runs expressions (JUEL can call any Java method) as the service, that
 * is as root on the host, so whoever could deploy one would be root: this holds whatever door a
 * deployment comes through (the engine REST API refuses them first, see security/EngineRestOperations).
 * A deployment already in the database when it is parsed again (after a restart) passes on its name,
 * so builds started on an earlier version of the diagram go on.
 */
@Component
public class OwnDeployments extends AbstractProcessEnginePlugin implements Deployer {

  private final byte[] diagram;

  public OwnDeployments() {
    try (InputStream in = OwnDeployments.class.getClassLoader().getResourceAsStream(NodeDeployment.RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the build process " + NodeDeployment.RESOURCE + " is not on the class path");
      }
      diagram = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    List<Deployer> deployers = new ArrayList<>();
    deployers.add(this);
    if (configuration.getCustomPreDeployers() != null) {
      deployers.addAll(configuration.getCustomPreDeployers());
    }
    configuration.setCustomPreDeployers(deployers);
  }

  @Override
  public void deploy(DeploymentEntity deployment) {
    String name = deployment.getName();
    if (name == null || !name.startsWith(NodeDeployment.deploymentName(""))) {
      throw refused(deployment, "it is not a node's deployment of the build process");
    }
    if (!deployment.isNew()) {
      return;
    }
    var resources = deployment.getResources();
    if (resources == null || resources.size() != 1) {
      throw refused(deployment, "it must hold the build process alone");
    }
    ResourceEntity resource = resources.values().iterator().next();
    if (!NodeDeployment.RESOURCE.equals(resource.getName()) || !Arrays.equals(diagram, resource.getBytes())) {
      throw refused(deployment, "its resource is not the service's own build process");
    }
  }

  private static ProcessEngineException refused(DeploymentEntity deployment, String why) {
    return new ProcessEngineException("deployment '" + deployment.getName() + "' refused: " + why
        + "; the service deploys its own diagram, and nothing else");
  }
}

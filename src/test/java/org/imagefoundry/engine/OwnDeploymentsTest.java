package org.imagefoundry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.RepositoryService;
import org.imagefoundry.testing.ProcessTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The engine deploys the service's own diagram and nothing else, whoever asks: a diagram whose service
 * task is a JUEL expression calling {@code Runtime.exec} is refused under any name, and so is the
 * service's diagram with one byte changed, or under another name.
 */
@ProcessTest
class OwnDeploymentsTest {

  @Autowired ProcessEngine engine;

  static String ownDiagram() throws IOException {
    try (InputStream in = OwnDeploymentsTest.class.getClassLoader().getResourceAsStream(NodeDeployment.RESOURCE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static String execDiagram(Path marker) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
            xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="x" id="d">
          <bpmn:process id="buildImage" isExecutable="true" camunda:historyTimeToLive="P1D">
            <bpmn:startEvent id="s" />
            <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t" />
            <bpmn:serviceTask id="t" camunda:expression="${''.getClass().forName('java.lang.Runtime').getMethod('getRuntime').invoke(null).exec('touch %s')}" />
            <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e" />
            <bpmn:endEvent id="e" />
          </bpmn:process>
        </bpmn:definitions>
        """.formatted(marker);
  }

  @Test
  void noDiagramButTheServicesOwnIsDeployedUnderAnyName() throws Exception {
    RepositoryService repository = engine.getRepositoryService();
    long deployments = repository.createDeploymentQuery().count();
    long definitions = repository.createProcessDefinitionQuery().count();
    Path marker = Files.createTempDirectory("own-deployments").resolve("exec-ran");
    String own = ownDiagram();

    for (String name : new String[] {"evil", NodeDeployment.deploymentName("vm"), NodeDeployment.deploymentName("x")}) {
      assertThatThrownBy(() -> repository.createDeployment().name(name)
          .addString(NodeDeployment.RESOURCE, execDiagram(marker)).deploy())
          .as(name).isInstanceOf(ProcessEngineException.class).hasMessageContaining("refused");
    }
    assertThatThrownBy(() -> repository.createDeployment().name(NodeDeployment.deploymentName("x"))
        .addString(NodeDeployment.RESOURCE, own.replace("Build image", "Build image ")).deploy())
        .isInstanceOf(ProcessEngineException.class).hasMessageContaining("not the service's own");
    assertThatThrownBy(() -> repository.createDeployment().name("someone-elses")
        .addString(NodeDeployment.RESOURCE, own).deploy())
        .isInstanceOf(ProcessEngineException.class).hasMessageContaining("not a node's deployment");
    assertThatThrownBy(() -> repository.createDeployment().name(NodeDeployment.deploymentName("x"))
        .addString(NodeDeployment.RESOURCE, own).addString("second.bpmn", execDiagram(marker)).deploy())
        .isInstanceOf(ProcessEngineException.class).hasMessageContaining("alone");

    assertThat(repository.createDeploymentQuery().count()).isEqualTo(deployments);
    assertThat(repository.createProcessDefinitionQuery().count()).isEqualTo(definitions);
    assertThat(marker).doesNotExist();
  }
}

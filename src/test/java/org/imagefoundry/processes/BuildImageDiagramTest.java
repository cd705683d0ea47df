package org.imagefoundry.processes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.Association;
import org.camunda.bpm.model.bpmn.instance.FlowNode;
import org.camunda.bpm.model.bpmn.instance.SequenceFlow;
import org.camunda.bpm.model.bpmn.instance.ServiceTask;
import org.camunda.bpm.model.bpmn.instance.SubProcess;
import org.camunda.bpm.model.bpmn.instance.bpmndi.BpmnEdge;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaFailedJobRetryTimeCycle;
import org.camunda.bpm.model.bpmn.instance.bpmndi.BpmnShape;
import org.camunda.bpm.model.xml.instance.ModelElementInstance;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AssignableTypeFilter;

/** The diagram Cockpit draws is complete, and it is the table of contents of the code. */
class BuildImageDiagramTest {

  static final BpmnModelInstance MODEL = Bpmn.readModelFromFile(Path.of("processes/build-image.bpmn").toFile());

  /**
   * The only tasks whose bean is not named for them: compensation handlers that do the same for different
   * tasks share one class, named for what it does.
   */
  static final Map<String, String> SHARED_HANDLERS = Map.of(
      "undoDebootstrap", "undoChrootProcesses",
      "undoInstallPackages", "undoChrootProcesses");

  @Test
  void everyFlowNodeHasAShapeAndEverySequenceFlowAndAssociationAnEdge() {
    Set<String> shapes = MODEL.getModelElementsByType(BpmnShape.class).stream()
        .map(s -> s.getBpmnElement().getId()).collect(Collectors.toSet());
    Set<String> edges = MODEL.getModelElementsByType(BpmnEdge.class).stream()
        .map(e -> e.getBpmnElement().getId()).collect(Collectors.toSet());

    assertThat(shapes).containsAll(ids(FlowNode.class));
    assertThat(edges).containsAll(ids(SequenceFlow.class)).containsAll(ids(Association.class));
  }

  @Test
  void everyTaskIsABeanOfTheSameNameAndEveryBeanIsATask() {
    Set<String> delegates = MODEL.getModelElementsByType(ServiceTask.class).stream()
        .map(t -> t.getCamundaDelegateExpression().replaceAll("[${}]", "")).collect(Collectors.toSet());
    var scanner = new ClassPathScanningCandidateComponentProvider(false);
    scanner.addIncludeFilter(new AssignableTypeFilter(org.imagefoundry.steps.BuildStep.class));
    Set<String> steps = scanner.findCandidateComponents("org.imagefoundry.steps").stream()
        .map(b -> b.getBeanClassName().substring(b.getBeanClassName().lastIndexOf('.') + 1))
        .map(name -> Character.toLowerCase(name.charAt(0)) + name.substring(1)).collect(Collectors.toSet());

    assertThat(steps).isEqualTo(delegates);
    MODEL.getModelElementsByType(ServiceTask.class).stream()
        .filter(t -> !(t.getParentElement() instanceof SubProcess))
        .forEach(t -> assertThat(t.getCamundaDelegateExpression()).as(t.getId())
            .isEqualTo("${" + SHARED_HANDLERS.getOrDefault(t.getId(), t.getId()) + "}"));
    for (String handler : SHARED_HANDLERS.keySet()) {
      assertThat(MODEL.<ServiceTask>getModelElementById(handler).isForCompensation()).as(handler).isTrue();
    }
  }

  @Test
  void everyTaskIsAsynchronousExceptCompensationHandlers() {
    for (ServiceTask task : MODEL.getModelElementsByType(ServiceTask.class)) {
      if (!task.isForCompensation()) {
        assertThat(task.isCamundaAsyncBefore()).as(task.getId()).isTrue();
      }
    }
  }

  /** The engine's cycle (engine.RetryPolicy, from configuration) is every job's: no element names its own. */
  @Test
  void noElementOverridesTheEnginesRetryCycle() {
    assertThat(MODEL.getModelElementsByType(CamundaFailedJobRetryTimeCycle.class))
        .extracting(cycle -> ((ModelElementInstance) cycle.getParentElement().getParentElement()).getAttributeValue("id"))
        .isEmpty();
  }

  static Set<String> ids(Class<? extends ModelElementInstance> type) {
    return MODEL.getModelElementsByType(type).stream().map(e -> e.getAttributeValue("id")).collect(Collectors.toSet());
  }
}

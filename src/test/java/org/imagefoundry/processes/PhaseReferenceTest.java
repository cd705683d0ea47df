package org.imagefoundry.processes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.Association;
import org.camunda.bpm.model.bpmn.instance.BoundaryEvent;
import org.camunda.bpm.model.bpmn.instance.CompensateEventDefinition;
import org.camunda.bpm.model.bpmn.instance.EndEvent;
import org.camunda.bpm.model.bpmn.instance.FlowNode;
import org.camunda.bpm.model.bpmn.instance.SequenceFlow;
import org.camunda.bpm.model.bpmn.instance.ServiceTask;
import org.camunda.bpm.model.bpmn.instance.StartEvent;
import org.camunda.bpm.model.bpmn.instance.SubProcess;
import org.camunda.bpm.model.bpmn.instance.Process;
import org.junit.jupiter.api.Test;

/**
 * The phase reference (docs/phases.md) cannot drift from the diagram: the task column of each of its
 * tables is generated here from processes/build-image.bpmn and must be the doc's, row for row. When the
 * diagram changes, the failure shows the column the doc must have.
 */
class PhaseReferenceTest {

  static final BpmnModelInstance MODEL = Bpmn.readModelFromFile(Path.of("processes/build-image.bpmn").toFile());
  static final Path REFERENCE = Path.of("docs/phases.md");

  @Test
  void thePhaseTableListsEveryTaskAndGatewayOfTheMainPathInTheDiagramsOrder() throws IOException {
    assertThat(firstColumn(REFERENCE, "Phase (task id)"))
        .as("%s, table 'Phase (task id)', generated from the diagram", REFERENCE)
        .containsExactlyElementsOf(mainPath().stream().map(PhaseReferenceTest::cell).toList());
  }

  @Test
  void theCompensationTableListsEveryHandlerWithTheTaskItUndoesInTheDiagramsOrder() throws IOException {
    assertThat(firstColumn(REFERENCE, "Compensation handler (of task)"))
        .as("%s, table 'Compensation handler (of task)', generated from the diagram", REFERENCE)
        .containsExactlyElementsOf(compensationHandlers());
  }

  @Test
  void theEventSubprocessTableListsTheirStepsInOrder() throws IOException {
    List<String> expected = new ArrayList<>();
    for (SubProcess subProcess : MODEL.getModelElementsByType(SubProcess.class)) {
      StartEvent start = subProcess.getChildElementsByType(StartEvent.class).iterator().next();
      for (FlowNode node : inFlowOrder(start)) {
        expected.add(cell(subProcess) + ": " + cell(node));
      }
    }
    assertThat(firstColumn(REFERENCE, "Event subprocess: task"))
        .as("%s, table 'Event subprocess: task', generated from the diagram", REFERENCE)
        .containsExactlyElementsOf(expected);
  }

  @Test
  void theMainPathCoversEveryTaskOutsideTheEventSubprocessesThatIsNotACompensationHandler() {
    List<String> onMainPath = mainPath().stream().map(FlowNode::getId).toList();
    MODEL.getModelElementsByType(ServiceTask.class).stream()
        .filter(task -> task.getParentElement() instanceof Process && !task.isForCompensation())
        .forEach(task -> assertThat(onMainPath).contains(task.getId()));
  }

  /** The process's flow nodes from its start event, in the order the flows allow. */
  static List<FlowNode> mainPath() {
    Process process = MODEL.getModelElementsByType(Process.class).iterator().next();
    StartEvent start = process.getChildElementsByType(StartEvent.class).iterator().next();
    return inFlowOrder(start);
  }

  /**
   * A topological order of the nodes reachable from {@code start} (a join comes after every branch that
   * reaches it); of two ready branches the one whose flow the diagram lists last is followed first, so
   * that a short branch (the stored images, the disk) is read before the long one it leaves beside.
   * Start and end events are left out: they are where a table begins and ends, not its rows.
   */
  static List<FlowNode> inFlowOrder(FlowNode start) {
    Map<FlowNode, Integer> waitingFor = new HashMap<>();
    Deque<FlowNode> ready = new ArrayDeque<>(List.of(start));
    List<FlowNode> order = new ArrayList<>();
    while (!ready.isEmpty()) {
      FlowNode node = ready.pop();
      if (!(node instanceof StartEvent || node instanceof EndEvent)) {
        order.add(node);
      }
      flowsFrom(node).forEach(flow -> {
        FlowNode target = flow.getTarget();
        int left = waitingFor.getOrDefault(target, flowsInto(target).size()) - 1;
        waitingFor.put(target, left);
        if (left == 0) {
          ready.push(target);
        }
      });
    }
    return order;
  }

  // The diagram names a flow's ends only on the flow (no <outgoing>/<incoming> in the nodes), so
  // FlowNode.getOutgoing() is empty: the flows are looked up by their ends, in the diagram's order.
  static List<SequenceFlow> flowsFrom(FlowNode node) {
    return MODEL.getModelElementsByType(SequenceFlow.class).stream().filter(flow -> flow.getSource() == node).toList();
  }

  static List<SequenceFlow> flowsInto(FlowNode node) {
    return MODEL.getModelElementsByType(SequenceFlow.class).stream().filter(flow -> flow.getTarget() == node).toList();
  }

  /** Each compensation handler with the task it undoes, in the main path's order of those tasks. */
  static List<String> compensationHandlers() {
    Map<String, String> handlerOfTask = new HashMap<>();
    for (Association association : MODEL.getModelElementsByType(Association.class)) {
      if (association.getSource() instanceof BoundaryEvent boundary
          && !boundary.getChildElementsByType(CompensateEventDefinition.class).isEmpty()) {
        handlerOfTask.put(boundary.getAttachedTo().getId(), association.getTarget().getAttributeValue("id"));
      }
    }
    assertThat(MODEL.getModelElementsByType(ServiceTask.class).stream().filter(ServiceTask::isForCompensation)
        .map(ServiceTask::getId).toList()).containsExactlyInAnyOrderElementsOf(handlerOfTask.values());
    return mainPath().stream().filter(node -> handlerOfTask.containsKey(node.getId()))
        .map(node -> "`" + handlerOfTask.get(node.getId()) + "` (of `" + node.getId() + "`)").toList();
  }

  /** A service task by its id (its bean's name); anything else by the name the diagram shows, then its id. */
  static String cell(FlowNode node) {
    if (node instanceof ServiceTask || node.getName() == null) {
      return "`" + node.getId() + "`";
    }
    return "*" + node.getName() + "* (`" + node.getId() + "`)";
  }

  /** The first cells of the Markdown table whose header row starts with {@code header}. */
  static List<String> firstColumn(Path doc, String header) throws IOException {
    List<String> lines = Files.readAllLines(doc);
    int headerRow = lines.indexOf(lines.stream().filter(line -> line.startsWith("| " + header + " |")).findFirst()
        .orElseThrow(() -> new AssertionError(doc + " has no table headed '" + header + "'")));
    List<String> cells = new ArrayList<>();
    for (int i = headerRow + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      String row = lines.get(i);
      cells.add(row.substring(1, row.indexOf(" |", 1)).strip());
    }
    return cells;
  }
}

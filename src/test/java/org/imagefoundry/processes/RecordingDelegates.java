package org.imagefoundry.processes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.ServiceTask;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaExecutionListener;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaFailedJobRetryTimeCycle;
import org.imagefoundry.process.BuildVariables;

/**
 * Stands in for every bean the diagram names, read from the diagram itself (so a renamed or merged bean
 * needs no change here): each task's delegate records its task id, in the order the tasks ran, and a
 * chosen task fails as a step would; the process's listeners do nothing. Registered with {@link Mocks},
 * which the engine-only configuration's expression manager resolves.
 */
final class RecordingDelegates {

  /** A bean that a retry cycle names ({@code ${name.property}}) is asked for its cycle: this one. */
  static final String RETRY_CYCLE = "R2/PT1S";

  private static final Pattern BEAN = Pattern.compile("\\$\\{(\\w+)}");
  private static final Pattern BEAN_PROPERTY = Pattern.compile("\\$\\{(\\w+)\\.(\\w+)}");

  private final List<String> ran = new ArrayList<>();
  private final Map<String, Integer> transientFailures = new HashMap<>();
  private String unrecoverable;

  private RecordingDelegates() {
  }

  /** Registers a recording delegate for every task bean and a quiet listener for every listener bean. */
  static RecordingDelegates registerFor(BpmnModelInstance model) {
    RecordingDelegates delegates = new RecordingDelegates();
    ExecutionListener quiet = execution -> { };
    for (CamundaExecutionListener listener : model.getModelElementsByType(CamundaExecutionListener.class)) {
      bean(listener.getCamundaDelegateExpression()).ifPresent(name -> Mocks.register(name, quiet));
    }
    JavaDelegate recording = execution -> delegates.ran(execution.getCurrentActivityId());
    for (ServiceTask task : model.getModelElementsByType(ServiceTask.class)) {
      bean(task.getCamundaDelegateExpression()).ifPresent(name -> Mocks.register(name, recording));
    }
    for (CamundaFailedJobRetryTimeCycle cycle : model.getModelElementsByType(CamundaFailedJobRetryTimeCycle.class)) {
      Matcher matcher = BEAN_PROPERTY.matcher(cycle.getTextContent().trim());
      if (matcher.matches()) {
        Mocks.register(matcher.group(1), Map.of(matcher.group(2), RETRY_CYCLE));
      }
    }
    return delegates;
  }

  private static java.util.Optional<String> bean(String expression) {
    Matcher matcher = BEAN.matcher(expression == null ? "" : expression.trim());
    return matcher.matches() ? java.util.Optional.of(matcher.group(1)) : java.util.Optional.empty();
  }

  /** The task ends the build through the BPMN error {@code buildFailed}, as a {@code BuildFailure} would. */
  synchronized void failUnrecoverably(String taskId) {
    unrecoverable = taskId;
  }

  /** The task throws {@code times} times (the engine retries it), then works. */
  synchronized void failTransiently(String taskId, int times) {
    transientFailures.put(taskId, times);
  }

  /** The tasks whose delegates ran, in the order they ran (history's start times tie within a transaction). */
  synchronized List<String> ran() {
    return List.copyOf(ran);
  }

  private synchronized void ran(String taskId) {
    ran.add(taskId);
    if (taskId.equals(unrecoverable)) {
      unrecoverable = null;
      throw new BpmnError(BuildVariables.BUILD_FAILED, taskId + ": injected unrecoverable failure");
    }
    int left = transientFailures.getOrDefault(taskId, 0);
    if (left > 0) {
      transientFailures.put(taskId, left - 1);
      throw new IllegalStateException(taskId + ": injected transient failure");
    }
  }
}

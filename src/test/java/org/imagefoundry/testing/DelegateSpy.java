package org.imagefoundry.testing;

import java.util.HashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.imagefoundry.process.BuildVariables;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Wraps every delegate bean: makes a chosen task fail whatever its delegate does (an unrecoverable BPMN
 * error, or a plain exception the engine retries). Registered by {@link FakeHostConfiguration}. Which tasks
 * ran, in which order, is recorded on the engine alone (processes/RecordingDelegates).
 */
public class DelegateSpy implements BeanPostProcessor {

  private final Map<String, Integer> transientFailures = new HashMap<>();
  private String unrecoverable;
  private final Map<String, RuntimeException> thrown = new HashMap<>();

  /** The task ends the build through the BPMN error, as a {@code BuildFailure} would. */
  public synchronized void failUnrecoverably(String taskId) {
    unrecoverable = taskId;
  }

  /** The task throws {@code times} times, then works. */
  public synchronized void failTransiently(String taskId, int times) {
    transientFailures.put(taskId, times);
  }

  /** The task throws {@code failure} once, then works. */
  public synchronized void failWith(String taskId, RuntimeException failure) {
    thrown.put(taskId, failure);
  }

  public synchronized void reset() {
    unrecoverable = null;
    transientFailures.clear();
    thrown.clear();
  }

  private synchronized void check(String taskId) {
    if (taskId.equals(unrecoverable)) {
      unrecoverable = null;
      throw new BpmnError(BuildVariables.BUILD_FAILED, taskId + ": injected unrecoverable failure");
    }
    RuntimeException failure = thrown.remove(taskId);
    if (failure != null) {
      throw failure;
    }
    Integer left = transientFailures.get(taskId);
    if (left != null && left > 0) {
      transientFailures.put(taskId, left - 1);
      throw new IllegalStateException(taskId + ": injected transient failure");
    }
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof JavaDelegate delegate) {
      return (JavaDelegate) execution -> {
        check(execution.getCurrentActivityId());
        delegate.execute(execution);
      };
    }
    return bean;
  }
}

package org.imagefoundry.steps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Path;
import java.util.List;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.variable.value.TypedValue;
import org.camunda.spin.plugin.variable.SpinValues;
import org.imagefoundry.host.Workspace;
import org.imagefoundry.host.Workspaces;
import org.imagefoundry.imagetree.AptSettings;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.spec.BuildSpec;
import org.imagefoundry.spec.VariableCheck;

/**
 * What a step works on: the build's id, its request, its workspace, and its process variables, read as
 * their types ({@link BuildVariables}); those an admin may edit are checked again as they are read
 * ({@link VariableCheck}).
 */
public record Build(String id, BuildSpec spec, Workspace workspace, DelegateExecution execution,
    BuildVariables variables, VariableCheck check) {

  /** The build of a step's execution: its variables read, its request checked again. */
  static Build of(DelegateExecution execution, Workspaces workspaces, VariableCheck check) {
    BuildVariables variables = BuildVariables.of(execution);
    String id = variables.buildId();
    return new Build(id, check.request(variables.request()), workspaces.of(id), execution, variables, check);
  }

  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();

  /** The base repo's URI, checked: an admin may have changed it since the start. */
  public String mirror() {
    return check.mirror(variables.mirror(), spec);
  }

  /** The image files in the workspace, in the request's order. */
  public List<Path> imageFiles() {
    return spec.images().stream().map(image -> workspace.imageFile(image.index())).toList();
  }

  /** The directories of the build's {@code file:} repos, the mirror included. */
  public List<Path> localRepositories() {
    return AptSettings.repos(spec, mirror()).stream().flatMap(repo -> repo.localDirectory().stream()).toList();
  }

  public void set(String name, Object value) {
    execution.setVariable(name, value);
  }

  /** Stores a value as a JSON variable, which Cockpit shows as JSON. */
  public void setJson(String name, Object value) {
    execution.setVariable(name, json(value));
  }

  /** A JSON variable as {@code type}; null when unset. */
  public <T> T getJson(String name, TypeReference<T> type) {
    String value = variables.json(name).orElse(null);
    try {
      return value == null ? null : JSON.readValue(value, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("variable " + name + " is not the JSON expected", e);
    }
  }

  public static TypedValue json(Object value) {
    try {
      return SpinValues.jsonValue(value instanceof String s ? s : JSON.writeValueAsString(value)).create();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

package org.imagefoundry.spec;

import java.util.List;
import java.util.stream.Collectors;
import org.imagefoundry.rules.Problem;
import org.imagefoundry.users.Caller;
import org.springframework.stereotype.Component;

/**
 * A started build's variables, checked again whenever a step reads them: an admin may edit them in
 * Cockpit, and a bad value must become a step failure naming the variable (the engine retries, then
 * raises an incident), never a command line or a line of sources.list.
 */
@Component
public class VariableCheck {

  private final SpecValidator validator;

  public VariableCheck(SpecValidator validator) {
    this.validator = validator;
  }

  /** The {@code request} variable as the build's spec, validated as at the start. */
  public BuildSpec request(String value) {
    BuildSpec spec;
    try {
      spec = BuildRequests.fromJson(value);
    } catch (IllegalStateException e) {
      throw new InvalidVariableException("request", List.of(new Problem("", "not a build request")));
    }
    List<Problem> problems = validator.validate(BuildRequests.tree(spec), Caller.ENGINE);
    if (!problems.isEmpty()) {
      throw new InvalidVariableException("request", problems);
    }
    return spec;
  }

  /** The {@code mirror} variable: a repo URI on an allowed host or on one of the build's repos' hosts. */
  public String mirror(String value, BuildSpec spec) {
    List<Problem> problems = validator.validateMirror(value, spec);
    if (!problems.isEmpty()) {
      throw new InvalidVariableException("mirror", problems);
    }
    return value;
  }

  /** A process variable that a step refuses to use; its message names the variable and every problem. */
  public static class InvalidVariableException extends RuntimeException {

    InvalidVariableException(String variable, List<Problem> problems) {
      super("process variable '" + variable + "' refused: " + problems.stream()
          .map(p -> (p.field().isEmpty() ? "" : p.field() + ": ") + p.message()).collect(Collectors.joining("; ")));
    }
  }
}

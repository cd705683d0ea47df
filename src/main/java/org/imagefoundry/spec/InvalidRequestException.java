package org.imagefoundry.spec;

import java.util.List;
import java.util.stream.Collectors;
import org.imagefoundry.rules.Problem;

/** A request that cannot be built; carries every problem found, not just the first. */
public class InvalidRequestException extends RuntimeException {

  private final List<Problem> problems;

  public InvalidRequestException(List<Problem> problems) {
    super("invalid build request: " + problems.stream().map(p -> p.field() + ": " + p.message())
        .collect(Collectors.joining("; ")));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }
}

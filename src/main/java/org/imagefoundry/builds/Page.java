package org.imagefoundry.builds;

import java.util.ArrayList;
import java.util.List;
import org.imagefoundry.rules.Problem;
import org.imagefoundry.spec.InvalidRequestException;

/** A page of a list: {@code limit} entries (1 to {@value #MAX_LIMIT}) after skipping {@code offset}. */
public record Page(int offset, int limit) {

  public static final int MAX_LIMIT = 1000;
  public static final int MAX_OFFSET = 1_000_000;

  /** Parses the query parameters; a bad value is a 400 naming it, never a 500. */
  public static Page of(String limit, String offset) {
    List<Problem> problems = new ArrayList<>();
    int parsedLimit = parse(limit, "limit", 100, 1, MAX_LIMIT, problems);
    int parsedOffset = parse(offset, "offset", 0, 0, MAX_OFFSET, problems);
    if (!problems.isEmpty()) {
      throw new InvalidRequestException(problems);
    }
    return new Page(parsedOffset, parsedLimit);
  }

  private static int parse(String text, String name, int fallback, int min, int max, List<Problem> problems) {
    if (text == null) {
      return fallback;
    }
    if (text.matches("[0-9]{1,9}")) {
      int value = Integer.parseInt(text);
      if (value >= min && value <= max) {
        return value;
      }
    }
    problems.add(new Problem(name, "must be a whole number from " + min + " to " + max));
    return fallback;
  }
}

package org.imagefoundry.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.variable.value.SerializableValue;
import org.imagefoundry.admission.AdmissionRefused;
import org.imagefoundry.builds.BuildQueries;
import org.imagefoundry.builds.BuildService;
import org.imagefoundry.engine.UniqueBuildIds;
import org.imagefoundry.host.BuildIds;
import org.imagefoundry.rules.Problem;
import org.imagefoundry.spec.InvalidRequestException;
import org.imagefoundry.users.Caller;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Starts through the engine REST API (and Tasklist's start forms) go through the same validation as
 * {@code POST /api/builds}: the {@code request} variable is checked (a 400 listing every problem) and
 * replaced, before the engine sees it, by the prepared request: normalized, password hashed, with
 * its build id as business key. So no path starts a build from an unchecked request, and a plain
 * password never reaches the engine's variables or history.
 *
 * <p>A start is recognized on the routed path (the servlet path and path info: decoded, normalized,
 * without {@code ;} parameters), so no way of writing the path passes by. Only the fields of a plain
 * start pass on: the flags that would start past the request check or elsewhere than the start event
 * ({@code skipCustomListeners}, {@code skipIoMappings}, {@code startInstructions}) are refused, and so
 * is a business key that is not a fresh id of the kind the service makes, or one reserved or in use
 * ({@link UniqueBuildIds}: of concurrent starts with one id, one passes). A restart of ended builds,
 * which would run a second build under the same id, is refused too.
 */
public class EngineRestStarts extends OncePerRequestFilter {

  static final Pattern START = Pattern.compile(".*/process-definition/.+/(start|submit-form)/?");
  static final Pattern RESTART = Pattern.compile(".*/process-definition/[^/]+/restart(-async)?/?");
  static final Set<String> FLAGS = Set.of("skipCustomListeners", "skipIoMappings", "startInstructions");
  static final Set<String> FIELDS = Set.of("variables", "businessKey", "withVariablesInReturn");
  static final int MAX_BODY = 1 << 20;

  private final BuildService builds;
  private final Callers callers;
  private final BuildQueries queries;
  private final UniqueBuildIds ids;
  private final ObjectMapper json;

  public EngineRestStarts(BuildService builds, Callers callers, BuildQueries queries, UniqueBuildIds ids, ObjectMapper json) {
    this.builds = builds;
    this.callers = callers;
    this.queries = queries;
    this.ids = ids;
    this.json = json;
  }

  /** The path the container routes: servlet path and path info, decoded and normalized. */
  static String routedPath(HttpServletRequest request) {
    return request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = routedPath(request);
    return !"POST".equals(request.getMethod())
        || !START.matcher(path).matches() && !RESTART.matcher(path).matches();
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (RESTART.matcher(routedPath(request)).matches()) {
      refuse(response, List.of(new Problem("", "a build is never restarted under its id: retry its failed step, "
          + "or start it again")));
      return;
    }
    byte[] body = request.getInputStream().readNBytes(MAX_BODY + 1);
    try {
      if (body.length > MAX_BODY) {
        throw new InvalidRequestException(List.of(new Problem("", "the body is larger than 1 MB")));
      }
      ObjectNode start = (ObjectNode) json.readTree(body.length == 0 ? "{}".getBytes() : body);
      ObjectNode checked = checked(start, callers.of(request));
      String id = checked.get("businessKey").asText();
      if (!ids.reserve(id)) {
        throw new InvalidRequestException(List.of(new Problem("businessKey", "a build with this id exists")));
      }
      boolean started = false;
      try {
        chain.doFilter(new ReplacedBody(request, json.writeValueAsBytes(checked)), response);
        started = response.getStatus() < 300;
      } finally {
        if (!started) {
          ids.release(id); // the start did not happen: the id is free again
        }
      }
    } catch (InvalidRequestException e) {
      refuse(response, e.problems());
    } catch (AdmissionRefused e) {
      refused(response, e);
    } catch (IOException | ClassCastException e) {
      refuse(response, List.of(new Problem("", "the body must be a JSON object")));
    }
  }

  /** The start as the engine gets it: the prepared build's variables under its id; else every problem. */
  private ObjectNode checked(ObjectNode start, Caller caller) {
    List<Problem> problems = new ArrayList<>();
    start.fieldNames().forEachRemaining(field -> {
      if (FLAGS.contains(field) && !isUnset(start.get(field))) {
        problems.add(new Problem(field, "not allowed: a build starts at its start event, with its listeners"));
      } else if (!FLAGS.contains(field) && !FIELDS.contains(field)) {
        problems.add(new Problem(field, "unknown field"));
      }
    });
    String id = buildId(start.path("businessKey"), problems);
    JsonNode request = start.path("variables").path("request").path("value");
    BuildService.PreparedBuild build = null;
    if (request.isMissingNode() || request.isNull()) {
      problems.add(new Problem("variables.request", "required: the build request (the JSON POST /api/builds takes)"));
    } else {
      try {
        build = builds.prepare(request.isTextual() ? request.asText() : request.toString(), caller, id);
      } catch (InvalidRequestException e) {
        problems.addAll(e.problems());
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidRequestException(problems);
    }
    ObjectNode checked = json.createObjectNode();
    ObjectNode variables = checked.putObject("variables");
    for (Map.Entry<String, Object> variable : build.variables().entrySet()) {
      ObjectNode value = variables.putObject(variable.getKey());
      if (variable.getValue() instanceof SerializableValue typed) {
        value.put("value", typed.getValueSerialized()).put("type", "Json");
      } else {
        value.put("value", String.valueOf(variable.getValue())).put("type", "String");
      }
    }
    checked.put("businessKey", build.id());
    if (start.has("withVariablesInReturn")) {
      checked.put("withVariablesInReturn", start.get("withVariablesInReturn").asBoolean());
    }
    return checked;
  }

  /** The supplied business key when it is a fresh build id, a new id when none is supplied. */
  private String buildId(JsonNode businessKey, List<Problem> problems) {
    if (businessKey.isMissingNode() || businessKey.isNull() || businessKey.asText().isEmpty()) {
      return BuildIds.newId();
    }
    if (!businessKey.isTextual() || !BuildIds.isBuildId(businessKey.asText())) {
      problems.add(new Problem("businessKey", "a build id is a random UUID as this service makes them; leave it out"));
      return BuildIds.newId(); // only to check the rest of the start
    }
    if (queries.exists(businessKey.asText())) {
      problems.add(new Problem("businessKey", "a build with this id exists"));
    }
    return businessKey.asText();
  }

  private static boolean isUnset(JsonNode flag) {
    return flag.isNull() || flag.isBoolean() && !flag.asBoolean() || flag.isArray() && flag.isEmpty();
  }

  private void refuse(HttpServletResponse response, List<Problem> problems) throws IOException {
    response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    json.writeValue(response.getOutputStream(), Map.of("type", "about:blank", "title", "Invalid build request",
        "status", 400, "problems", problems));
  }

  /** A valid start not accepted now: as POST /api/builds answers it (429, 507, 409, 403). */
  private void refused(HttpServletResponse response, AdmissionRefused e) throws IOException {
    response.setStatus(e.status());
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    if (e.retryAfter() != null) {
      response.setHeader("Retry-After", String.valueOf(e.retryAfter().toSeconds()));
    }
    json.writeValue(response.getOutputStream(), Map.of("type", "about:blank", "title", e.title(), "status", e.status(),
        "detail", e.getMessage() + "; nothing was started"));
  }
}

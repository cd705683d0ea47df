package org.imagefoundry.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.webapp.impl.security.auth.AuthenticationUtil;
import org.imagefoundry.process.BuildVariables;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The first filter of the engine REST API's two doors ({@code /engine-rest/*} and the webapps'
 * {@code /camunda/api/engine/*}), before anything reads a body.
 *
 * <p>First, who asks: a request that may change something (any method but GET, HEAD and OPTIONS) from a
 * caller nobody knows is answered 401 with nothing read, and an answer that names no path or setting. On
 * {@code /engine-rest} Spring Security has already asked for an admin's login; on the webapps' door a
 * caller is known by a logged-in webapp session (Camunda's {@link AuthenticationUtil}) or an HTTP Basic
 * login.
 *
 * <p>Then, what: an admin is not root. The service deploys its own diagram and nothing else, and a build
 * ends only through its compensation, so of the operations that change something only those in
 * {@link #ALLOWED} pass: queries, starts (checked by {@link EngineRestStarts}), cancel by a delete of a
 * process instance (turned into the build's cancel by {@link EngineRestDeletes}), retries of failed
 * jobs, incident annotations, edits of the variables a step checks again ({@link #EDITABLE}), and the
 * administration of users, groups, tenants, authorizations and Tasklist's filters. Everything else
 * (deployments, definition deletes, modification, migration, suspension, restart, message
 * correlation, signals, batch and history deletes, every other variable) is a 403. An allow-list,
 * not a deny-list: an operation a later Camunda adds is refused until someone decides it is harmless.
 */
public class EngineRestOperations extends OncePerRequestFilter {

  /** One operation an admin may call: method and path below the engine (without {@code /engine/{name}}). */
  record Operation(String method, Pattern path) {

    Operation(String method, String path) {
      this(method, Pattern.compile(path));
    }

    boolean matches(String method, String path) {
      return (this.method == null || this.method.equals(method)) && this.path.matcher(path).matches();
    }
  }

  static final String ID = "[^/]+";
  static final String QUERIES = "(process-instance|execution|variable-instance|job|task|external-task|incident"
      + "|history/(process-instance|activity-instance|variable-instance|task|detail|job-log|external-task-log"
      + "|incident|decision-instance))(/count)?";
  static final Pattern VARIABLE_ONE = Pattern.compile("/(process-instance|execution)/" + ID
      + "/(variables|localVariables)/(" + ID + ")");
  static final Pattern VARIABLE_MANY = Pattern.compile("/(process-instance|execution)/" + ID
      + "/(variables|localVariables)");

  static final List<Operation> ALLOWED = List.of(
      new Operation("POST", "/" + QUERIES),
      new Operation("POST", "/filter/" + ID + "/(list|count|singleResult)"),
      new Operation("POST", "/process-definition/(key/" + ID + "(/tenant-id/" + ID + ")?|" + ID + ")/(start|submit-form)"),
      new Operation("DELETE", "/process-instance/" + ID),
      new Operation("PUT", "/job/" + ID + "/retries"),
      new Operation("PUT", "/job-definition/" + ID + "/retries"),
      new Operation("POST", "/job/retries"),
      new Operation("POST", "/process-instance/job-retries"),
      new Operation("PUT", "/incident/" + ID + "/annotation"),
      new Operation("DELETE", "/incident/" + ID + "/annotation"),
      new Operation("PUT", VARIABLE_ONE.pattern()),
      new Operation("POST", VARIABLE_MANY.pattern()),
      new Operation(null, "/(user|group|tenant|authorization|filter)(/.*)?"),
      new Operation("POST", "/identity/password-policy"));

  /** The variables an admin may change: every step reads them through a check (spec/VariableCheck). */
  static final Set<String> EDITABLE = Set.of(BuildVariables.REQUEST, BuildVariables.MIRROR);
  /** The value types an edit may give them: text, as the steps read them. */
  static final Set<String> EDITABLE_TYPES = Set.of("String", "Json");
  static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");
  /** Headers some frameworks take for the method: a GET that says it is a POST is neither. */
  static final List<String> METHOD_OVERRIDES = List.of("X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override");
  static final Pattern ENGINE = Pattern.compile("/engine/" + ID + "(/.*)?");
  static final int MAX_BODY = EngineRestStarts.MAX_BODY;

  private final ObjectMapper json;

  public EngineRestOperations(ObjectMapper json) {
    this.json = json;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String method = request.getMethod();
    boolean overridden = METHOD_OVERRIDES.stream().anyMatch(header -> request.getHeader(header) != null);
    if (SAFE.contains(method) && !overridden) {
      chain.doFilter(request, response);
      return;
    }
    if (!isKnown(request)) {
      answer(response, HttpServletResponse.SC_UNAUTHORIZED, "Unauthorized", "log in first");
      return;
    }
    if (overridden) {
      answer(response, HttpServletResponse.SC_FORBIDDEN, "Forbidden", "a request is the method it is sent with: "
          + "no " + String.join(", ", METHOD_OVERRIDES));
      return;
    }
    String operation = operation(EngineRestStarts.routedPath(request));
    if (ALLOWED.stream().noneMatch(allowed -> allowed.matches(method, operation))) {
      answer(response, HttpServletResponse.SC_FORBIDDEN, "Forbidden", method + " " + operation + " is refused: "
          + "through the engine REST API admins read, start and cancel builds, retry failed jobs, edit the "
          + "variables " + String.join(" and ", EDITABLE.stream().sorted().toList())
          + ", and manage users, groups and authorizations; the service deploys its own process and nothing else");
      return;
    }
    Matcher one = VARIABLE_ONE.matcher(operation);
    if (one.matches() || VARIABLE_MANY.matcher(operation).matches()) {
      byte[] body = request.getInputStream().readNBytes(MAX_BODY + 1);
      Optional<String> refusal = body.length > MAX_BODY ? Optional.of("the body is larger than 1 MB")
          : variableEditRefusal(one.matches() ? one.group(3) : null, body);
      if (refusal.isPresent()) {
        answer(response, HttpServletResponse.SC_FORBIDDEN, "Forbidden", refusal.get());
        return;
      }
      chain.doFilter(new ReplacedBody(request, body), response);
      return;
    }
    chain.doFilter(request, response);
  }

  /**
   * The operation's path below the engine: the routed path without its door ({@code /engine-rest},
   * {@code /camunda/api/engine}) and engine ({@code /engine/{name}}), without a trailing {@code /}.
   */
  static String operation(String routed) {
    String path = routed.startsWith("/engine-rest") ? routed.substring("/engine-rest".length())
        : routed.startsWith("/camunda/api/engine") ? routed.substring("/camunda/api/engine".length()) : routed;
    Matcher engine = ENGINE.matcher(path);
    if (engine.matches()) {
      path = engine.group(1) == null ? "" : engine.group(1);
    }
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return path;
  }

  /**
   * Why an edit of variables is refused, if it is: a variable other than {@link #EDITABLE}, a type that
   * is not text, or a deletion. {@code name} is the one variable a PUT names, null for a POST of many.
   */
  private Optional<String> variableEditRefusal(String name, byte[] body) {
    JsonNode edit;
    try {
      edit = json.readTree(body);
    } catch (IOException e) {
      return Optional.of("the body must be a JSON object");
    }
    if (edit == null || !edit.isObject()) {
      return Optional.of("the body must be a JSON object");
    }
    if (name != null) {
      return refusal(name, edit);
    }
    JsonNode deletions = edit.path("deletions");
    if (!deletions.isMissingNode() && !deletions.isNull() && !deletions.isEmpty()) {
      return Optional.of("a build's variables are never deleted");
    }
    JsonNode modifications = edit.path("modifications");
    if (!modifications.isMissingNode() && !modifications.isNull() && !modifications.isObject()) {
      return Optional.of("modifications must be a JSON object");
    }
    for (var field : (Iterable<Map.Entry<String, JsonNode>>) modifications::fields) {
      Optional<String> refused = refusal(field.getKey(), field.getValue());
      if (refused.isPresent()) {
        return refused;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> refusal(String name, JsonNode value) {
    if (!EDITABLE.contains(name)) {
      return Optional.of("the variable " + name + " names a build's resources or results and is never edited; "
          + "only " + String.join(" and ", EDITABLE.stream().sorted().toList()) + " are");
    }
    // without a type the engine would store a JSON object as a serialized Java object
    if (!EDITABLE_TYPES.contains(value.path("type").asText()) || !value.path("value").isTextual()) {
      return Optional.of("the variable " + name + " holds text: a string value of type String or Json");
    }
    return Optional.empty();
  }

  /**
   * A login: HTTP Basic (Spring Security's authentication), or a webapp session Camunda's login filled.
   * What the webapp's own filters will find in the session, read without creating one.
   */
  static boolean isKnown(HttpServletRequest request) {
    var login = SecurityContextHolder.getContext().getAuthentication();
    if (login != null && login.isAuthenticated() && !(login instanceof AnonymousAuthenticationToken)) {
      return true;
    }
    var session = request.getSession(false);
    if (session == null) {
      return false;
    }
    var authentications = AuthenticationUtil.getAuthsFromSession(session);
    return authentications != null && !authentications.getAuthentications().isEmpty();
  }

  private void answer(HttpServletResponse response, int status, String title, String message) throws IOException {
    response.setStatus(status);
    response.setContentType(MediaType.APPLICATION_JSON_VALUE);
    json.writeValue(response.getOutputStream(), Map.of("type", title, "message", message));
  }
}

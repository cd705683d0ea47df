package org.imagefoundry.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.webapp.impl.security.auth.AuthenticationUtil;
import org.camunda.bpm.webapp.impl.security.auth.UserAuthentication;
import org.camunda.bpm.webapp.impl.security.filter.util.CsrfConstants;
import org.imagefoundry.builds.BuildService;
import org.imagefoundry.process.BuildProcess;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Deleting a build's process instance (Cockpit's own "cancel process instance", the engine REST API's
 * DELETE) would skip its compensation and leave its loop devices, mounts and workspace to the
 * abandoned-workspace check. So a DELETE of a {@code buildImage} instance becomes what
 * {@code POST /api/builds/{id}/cancel} does: compensation, then the sweep, ending CANCELLED. Deletes of
 * many instances at once (a batch) are refused for the same reason: cancel builds one by one.
 *
 * <p>Recognized on the routed path (decoded, normalized, without {@code ;} parameters), as
 * {@link EngineRestStarts} recognizes starts.
 */
public class EngineRestDeletes extends OncePerRequestFilter {

  static final Pattern DELETE_ONE = Pattern.compile("(?!.*/history/).*/process-instance/([^/]+)/?");
  static final Pattern DELETE_MANY = Pattern.compile(".*/process-instance/delete/?");

  private final RuntimeService runtime;
  private final RepositoryService repository;
  private final BuildService builds;
  private final ObjectMapper json;

  public EngineRestDeletes(RuntimeService runtime, RepositoryService repository, BuildService builds,
      ObjectMapper json) {
    this.runtime = runtime;
    this.repository = repository;
    this.builds = builds;
    this.json = json;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = EngineRestStarts.routedPath(request);
    return !("DELETE".equals(request.getMethod()) && DELETE_ONE.matcher(path).matches()
        || "POST".equals(request.getMethod()) && DELETE_MANY.matcher(path).matches());
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String path = EngineRestStarts.routedPath(request);
    if ("POST".equals(request.getMethod())) {
      answer(response, HttpServletResponse.SC_BAD_REQUEST, "deleting process instances in a batch would skip the "
          + "builds' compensation: cancel each build (Cancel build in Cockpit, or POST /api/builds/{id}/cancel)");
      return;
    }
    Matcher one = DELETE_ONE.matcher(path);
    one.matches();
    Optional<ProcessInstance> build = build(one.group(1));
    if (build.isEmpty()) {
      chain.doFilter(request, response); // not a build: the engine deletes it as it would
      return;
    }
    String id = build.get().getBusinessKey();
    Optional<String> user = mayCancel(request);
    if (user.isEmpty()) {
      answer(response, HttpServletResponse.SC_FORBIDDEN, "only admins cancel builds, with the webapp's CSRF token");
      return;
    }
    switch (builds.cancel(id, "cancelled by " + user.get() + " with a delete of its process instance")) {
      case DONE -> response.setStatus(HttpServletResponse.SC_NO_CONTENT);
      case NOT_FOUND -> chain.doFilter(request, response);
      case NOTHING_TO_DO -> answer(response, HttpServletResponse.SC_CONFLICT,
          "build " + id + " is already cancelling or ending");
    }
  }

  private Optional<ProcessInstance> build(String processInstanceId) {
    return Optional.ofNullable(runtime.createProcessInstanceQuery().processInstanceId(processInstanceId).singleResult())
        .filter(instance -> BuildProcess.KEY.equals(
            repository.getProcessDefinition(instance.getProcessDefinitionId()).getKey()));
  }

  /**
   * Who asks, when they may cancel a build. This filter answers before Camunda's webapp filters run, so
   * it checks what they would: on the engine REST API Spring Security has let only admins in; on the
   * webapps' path, the session's Camunda login must be an admin's and the request must carry the
   * session's CSRF token.
   */
  private static Optional<String> mayCancel(HttpServletRequest request) {
    if (request.getServletPath().startsWith("/engine-rest")) {
      return Optional.ofNullable(request.getUserPrincipal()).map(java.security.Principal::getName);
    }
    var session = request.getSession(false);
    if (session == null) {
      return Optional.empty();
    }
    Object token = session.getAttribute(CsrfConstants.CSRF_TOKEN_SESSION_ATTR_NAME);
    if (token == null || !token.equals(request.getHeader(CsrfConstants.CSRF_TOKEN_HEADER_NAME))) {
      return Optional.empty();
    }
    var authentications = AuthenticationUtil.getAuthsFromSession(session);
    return authentications == null ? Optional.empty() : authentications.getAuthentications().stream()
        .filter(a -> a.getGroupIds() != null && AccessRules.may(a.getGroupIds(), Permission.CANCEL_BUILD))
        .map(UserAuthentication::getName).findFirst();
  }

  private void answer(HttpServletResponse response, int status, String message) throws IOException {
    response.setStatus(status);
    response.setContentType(MediaType.APPLICATION_JSON_VALUE);
    json.writeValue(response.getOutputStream(), Map.of("type", "BuildCancelledInstead", "message", message));
  }
}

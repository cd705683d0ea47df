package org.imagefoundry.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.camunda.bpm.webapp.impl.security.auth.AuthenticationUtil;
import org.camunda.bpm.webapp.impl.security.auth.Authentications;
import org.camunda.bpm.webapp.impl.security.auth.UserAuthentication;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * A Camunda webapp session only for a user who may open one of the applications (Cockpit, Tasklist,
 * Admin: Camunda's application authorizations). Camunda's login computes which applications a user may
 * open, but lets every user into its Welcome page, with a session that Cockpit's plugins and the webapps'
 * engine API accept. So a login whose user may open none of them is answered 403 and its session is
 * dropped (one line in the log). A session whose user has lost them is logged out once Camunda has
 * recomputed them (it does every 5 minutes, at a request of the session), after that request.
 */
public class WebappSessions extends OncePerRequestFilter {

  private static final Logger LOG = LoggerFactory.getLogger(WebappSessions.class);
  private static final RequestMatcher LOGIN = PathPatternRequestMatcher.withDefaults()
      .matcher(HttpMethod.POST, "/camunda/api/admin/auth/user/{engine}/login/{app}");
  private static final List<String> APPLICATIONS = Arrays.asList(AuthenticationUtil.APPS);

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (!LOGIN.matches(request)) {
      dropUsersWithoutApplication(request.getSession(false));
      try {
        chain.doFilter(request, response);
      } finally {
        // Camunda's own filter may just have recomputed the session's applications
        dropUsersWithoutApplication(request.getSession(false));
      }
      return;
    }
    // the login's answer is held back until its session is known to be allowed
    var held = new ContentCachingResponseWrapper(response);
    chain.doFilter(request, held);
    HttpSession session = request.getSession(false);
    List<String> dropped = held.getStatus() == HttpServletResponse.SC_OK ? dropUsersWithoutApplication(session) : List.of();
    if (!dropped.isEmpty()) {
      LOG.info("webapp login of {} refused: no application authorization (cockpit, tasklist, admin)", dropped);
      held.resetBuffer();
      held.setStatus(HttpServletResponse.SC_FORBIDDEN);
      held.setContentType(MediaType.APPLICATION_JSON_VALUE);
      held.getOutputStream().write(("{\"type\": \"Forbidden\", \"message\": \"this user may open none of the webapps"
          + " (cockpit, tasklist, admin); ask an admin for an application authorization\"}")
          .getBytes(StandardCharsets.UTF_8));
    }
    held.copyBodyToResponse();
  }

  /** Logs out of the session every user who may open no application; the users dropped. */
  private static List<String> dropUsersWithoutApplication(HttpSession session) {
    if (session == null) {
      return List.of();
    }
    Authentications users = AuthenticationUtil.getAuthsFromSession(session);
    List<UserAuthentication> without = users.getAuthentications().stream()
        .filter(user -> user.getAuthorizedApps() == null
            || user.getAuthorizedApps().stream().noneMatch(APPLICATIONS::contains))
        .toList();
    if (without.isEmpty()) {
      return List.of();
    }
    without.forEach(user -> users.removeByEngineName(user.getProcessEngineName()));
    if (users.getAuthentications().isEmpty()) {
      session.invalidate();
    } else {
      AuthenticationUtil.updateSession(session, users);
    }
    return without.stream().map(UserAuthentication::getName).toList();
  }
}

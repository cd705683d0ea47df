package org.imagefoundry.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Base64;
import java.util.Set;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.springframework.http.HttpMethod;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * HTTP Basic against Camunda's identity service for our API, the API docs and the actuator (except
 * health): 401 without valid credentials; 403 when the user's groups do not allow the action. Cancel
 * and retry are for administrators; starting and reading builds for builders too.
 */
public class BasicAuthentication extends OncePerRequestFilter {

  private final IdentityService identity;

  public BasicAuthentication(IdentityService identity) {
    this.identity = identity;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    return path.equals("/actuator/health") || path.startsWith("/actuator/health/");
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String[] credentials = credentials(request.getHeader("Authorization"));
    // Camunda's identity service counts failed logins and throttles them (see README, Security)
    if (credentials == null || !identity.checkPassword(credentials[0], credentials[1])) {
      response.setHeader("WWW-Authenticate", "Basic realm=\"image-foundry\"");
      response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "credentials required");
      return;
    }
    String user = credentials[0];
    Set<String> groups = identity.createGroupQuery().groupMember(user).list().stream().map(Group::getId)
        .collect(Collectors.toSet());
    if (!allowed(request, groups)) {
      response.sendError(HttpServletResponse.SC_FORBIDDEN, user + " may not do this");
      return;
    }
    chain.doFilter(new HttpServletRequestWrapper(request) {
      @Override
      public String getRemoteUser() {
        return user;
      }

      @Override
      public Principal getUserPrincipal() {
        return () -> user;
      }
    }, response);
  }

  static boolean allowed(HttpServletRequest request, Set<String> groups) {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    if (!path.startsWith("/api/")) {
      return true; // API docs and metrics: any user
    }
    boolean operation = HttpMethod.POST.matches(request.getMethod())
        && (path.endsWith("/cancel") || path.endsWith("/retry"));
    return operation ? Roles.mayOperate(groups) : Roles.mayBuild(groups);
  }

  private static String[] credentials(String header) {
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    try {
      String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}

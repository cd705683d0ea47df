package org.imagefoundry.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Applies the {@link LoginThrottle} to every login: HTTP Basic on any path, and the webapps' own login
 * form. A throttled source gets 429 before its password is checked; a login answered 401 without an
 * authenticated user counts as a failure of its source.
 */
public class LoginThrottleFilter extends OncePerRequestFilter {

  private static final RequestMatcher WEBAPP_LOGIN = PathPatternRequestMatcher.withDefaults()
      .matcher(HttpMethod.POST, "/camunda/api/admin/auth/user/{engine}/login/{app}");

  private final LoginThrottle throttle;

  public LoginThrottleFilter(LoginThrottle throttle) {
    this.throttle = throttle;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return request.getHeader(HttpHeaders.AUTHORIZATION) == null && !WEBAPP_LOGIN.matches(request);
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String source = LoginThrottle.sourceOf(request.getRemoteAddr());
    Duration wait = throttle.blockedFor(source);
    if (!wait.isZero()) {
      response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString((wait.toMillis() + 999) / 1000));
      response.sendError(429, "too many failed logins from this address; try again later");
      return;
    }
    chain.doFilter(request, response);
    if (response.getStatus() == HttpServletResponse.SC_UNAUTHORIZED && !authenticated()) {
      throttle.failed(source);
    }
  }

  private static boolean authenticated() {
    Authentication user = SecurityContextHolder.getContext().getAuthentication();
    return user != null && user.isAuthenticated() && !(user instanceof AnonymousAuthenticationToken);
  }
}

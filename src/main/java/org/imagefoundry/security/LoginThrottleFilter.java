package org.imagefoundry.security;

import jakarta.servlet.Filter;
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
 * form. Each login counts as an attempt of its source before its password is checked; a throttled
 * source gets 429 and no check. The attempt stops counting once the login has succeeded: for HTTP Basic
 * as soon as Spring Security has authenticated the user ({@link #afterAuthentication}), for the webapps'
 * form when it is not answered 401 or 5xx (a wrong password, or a check that broke, stays a failure).
 */
public class LoginThrottleFilter extends OncePerRequestFilter {

  private static final RequestMatcher WEBAPP_LOGIN = PathPatternRequestMatcher.withDefaults()
      .matcher(HttpMethod.POST, "/camunda/api/admin/auth/user/{engine}/login/{app}");
  /** The request attribute holding the source of a counted attempt, until it is settled. */
  private static final String ATTEMPT = LoginThrottleFilter.class.getName() + ".attempt";

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
    Duration wait = throttle.attempt(source);
    if (!wait.isZero()) {
      response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString((wait.toMillis() + 999) / 1000));
      response.sendError(429, "too many failed logins from this address; try again later");
      return;
    }
    request.setAttribute(ATTEMPT, source);
    try {
      chain.doFilter(request, response);
    } finally {
      int status = response.getStatus();
      if (authenticated() || status != HttpServletResponse.SC_UNAUTHORIZED && status < 500) {
        settle(request);
      }
      request.removeAttribute(ATTEMPT); // a failure: it keeps counting
    }
  }

  /** The filter to put right after Spring Security's HTTP Basic: an authenticated user's attempt stops counting at once. */
  public Filter afterAuthentication() {
    return new OncePerRequestFilter() {
      @Override
      protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
          throws ServletException, IOException {
        if (authenticated()) {
          settle(request);
        }
        chain.doFilter(request, response);
      }
    };
  }

  /** The request's attempt succeeded: uncounted, once. */
  private void settle(HttpServletRequest request) {
    if (request.getAttribute(ATTEMPT) instanceof String source) {
      request.removeAttribute(ATTEMPT);
      throttle.succeeded(source);
    }
  }

  private static boolean authenticated() {
    Authentication user = SecurityContextHolder.getContext().getAuthentication();
    return user != null && user.isAuthenticated() && !(user instanceof AnonymousAuthenticationToken);
  }
}

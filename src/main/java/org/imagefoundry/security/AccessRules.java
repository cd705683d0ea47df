package org.imagefoundry.security;

import org.imagefoundry.users.Roles;
import static org.springframework.http.HttpMethod.GET;
import static org.springframework.http.HttpMethod.POST;

import jakarta.servlet.DispatcherType;
import java.util.Collection;
import java.util.List;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.security.authorization.AuthenticatedAuthorizationManager;
import org.springframework.security.authorization.AuthorityAuthorizationManager;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationManagers;
import org.springframework.security.authorization.SingleResultAuthorizationManager;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Who may call what, for every door of the service: our API, the actuator, the API description, the
 * engine REST API and the webapps. The first rule that matches the routed path and method decides;
 * what no rule names is for admins. Paths are matched after {@link UnambiguousPaths} has refused every
 * path that could be read two ways.
 */
public final class AccessRules {

  /** Who a rule lets in. */
  enum Access {
    /** Anyone, without a login. */
    ANYONE,
    /** {@code image-builders} and {@code camunda-admin}. */
    BUILDERS,
    /** {@code camunda-admin} only. */
    ADMINS,
    /**
     * The webapps (Cockpit, Admin, Tasklist), which log in with their own session and check Camunda's
     * authorizations: open without credentials (their login page); a Basic user must be an admin.
     */
    WEBAPP_LOGIN
  }

  /** One line of the table; a null method matches every method. */
  record Rule(HttpMethod method, String path, Access access) {}

  static final List<Rule> RULES = List.of(
      new Rule(GET, "/actuator/health/**", Access.ANYONE),
      new Rule(GET, "/", Access.ANYONE), // the redirect to the webapps
      new Rule(GET, "/favicon.ico", Access.ANYONE), // the redirect to Camunda's
      new Rule(GET, "/api/builds", Access.BUILDERS),
      new Rule(POST, "/api/builds", Access.BUILDERS),
      new Rule(GET, "/api/builds/{id}", Access.BUILDERS),
      new Rule(GET, "/api/builds/{id}/log", Access.BUILDERS),
      new Rule(GET, "/api/builds/{id}/packages", Access.BUILDERS),
      new Rule(GET, "/api/builds/{id}/sbom", Access.BUILDERS),
      new Rule(POST, "/api/builds/{id}/cancel", Access.ADMINS),
      new Rule(POST, "/api/builds/{id}/retry", Access.ADMINS),
      new Rule(GET, "/api/nodes", Access.BUILDERS),
      new Rule(POST, "/api/nodes/{name}/evacuate", Access.ADMINS),
      new Rule(GET, "/actuator/prometheus", Access.BUILDERS),
      new Rule(GET, "/actuator/info", Access.BUILDERS),
      new Rule(GET, "/v3/api-docs/**", Access.BUILDERS),
      new Rule(GET, "/api/schema/build-request", Access.BUILDERS), // part of the API's description
      new Rule(GET, "/swagger-ui.html", Access.BUILDERS),
      new Rule(GET, "/swagger-ui/**", Access.BUILDERS),
      // builders use /api; Camunda's authorizations apply on top for admins
      new Rule(null, "/engine-rest/**", Access.ADMINS),
      new Rule(null, "/camunda/**", Access.WEBAPP_LOGIN),
      new Rule(null, "/**", Access.ADMINS));

  private AccessRules() {}

  /** The table as Spring Security's request authorization. */
  public static void apply(
      AuthorizeHttpRequestsConfigurer<?>.AuthorizationManagerRequestMatcherRegistry authorize) {
    // an error page or the rest of an asynchronous response belongs to a request already decided
    authorize.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC).permitAll();
    PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
    for (Rule rule : RULES) {
      authorize.requestMatchers(paths.matcher(rule.method(), rule.path())).access(manager(rule.access()));
    }
  }

  /**
   * The table's answer for a logged-in user with these groups: what Cockpit's Image Foundry plugin asks
   * before it does on a user's behalf what an API call would do.
   */
  public static boolean allows(HttpMethod method, String path, Collection<String> groups) {
    PathContainer routed = PathContainer.parsePath(path);
    for (Rule rule : RULES) {
      if ((rule.method() == null || rule.method().equals(method))
          && PathPatternParser.defaultInstance.parse(rule.path()).matches(routed)) {
        return switch (rule.access()) {
          case ANYONE, WEBAPP_LOGIN -> true;
          case BUILDERS -> groups.contains(Roles.BUILDERS) || groups.contains(Roles.ADMINS);
          case ADMINS -> groups.contains(Roles.ADMINS);
        };
      }
    }
    return groups.contains(Roles.ADMINS);
  }

  private static AuthorizationManager<RequestAuthorizationContext> manager(Access access) {
    return switch (access) {
      case ANYONE -> SingleResultAuthorizationManager.permitAll();
      case BUILDERS -> AuthorityAuthorizationManager.hasAnyAuthority(Roles.BUILDERS, Roles.ADMINS);
      case ADMINS -> AuthorityAuthorizationManager.hasAuthority(Roles.ADMINS);
      case WEBAPP_LOGIN -> AuthorizationManagers.anyOf(AuthenticatedAuthorizationManager.anonymous(),
          AuthorityAuthorizationManager.hasAuthority(Roles.ADMINS));
    };
  }
}

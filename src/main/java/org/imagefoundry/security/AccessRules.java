package org.imagefoundry.security;

import org.imagefoundry.users.Roles;
import static org.springframework.http.HttpMethod.GET;
import static org.springframework.http.HttpMethod.POST;

import jakarta.servlet.DispatcherType;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
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

  /** One line of the table; a null method matches every method; the permission it grants, if it has a name. */
  record Rule(HttpMethod method, String path, Access access, Permission permission) {

    Rule(HttpMethod method, String path, Access access) {
      this(method, path, access, null);
    }
  }

  static final List<Rule> RULES = List.of(
      new Rule(GET, "/actuator/health/**", Access.ANYONE),
      new Rule(GET, "/", Access.ANYONE), // the redirect to the webapps
      new Rule(GET, "/favicon.ico", Access.ANYONE), // the redirect to Camunda's
      new Rule(GET, "/api/builds", Access.BUILDERS, Permission.READ_BUILDS),
      new Rule(POST, "/api/builds", Access.BUILDERS, Permission.START_BUILD),
      new Rule(GET, "/api/builds/{id}", Access.BUILDERS, Permission.READ_BUILDS),
      new Rule(GET, "/api/builds/{id}/log", Access.BUILDERS, Permission.READ_BUILDS),
      new Rule(GET, "/api/builds/{id}/packages", Access.BUILDERS, Permission.READ_BUILDS),
      new Rule(GET, "/api/builds/{id}/sbom", Access.BUILDERS, Permission.READ_BUILDS),
      new Rule(POST, "/api/builds/{id}/cancel", Access.ADMINS, Permission.CANCEL_BUILD),
      new Rule(POST, "/api/builds/{id}/retry", Access.ADMINS, Permission.RETRY_BUILD),
      new Rule(GET, "/api/nodes", Access.BUILDERS, Permission.READ_NODES),
      new Rule(POST, "/api/nodes/{name}/evacuate", Access.ADMINS, Permission.EVACUATE_NODE),
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

  /** Who holds each permission: the access of the rules that grant it (one, or the class would not load). */
  private static final Map<Permission, Access> PERMISSIONS = permissions();

  private AccessRules() {}

  private static Map<Permission, Access> permissions() {
    Map<Permission, Access> granted = new EnumMap<>(Permission.class);
    for (Rule rule : RULES) {
      if (rule.permission() != null && granted.putIfAbsent(rule.permission(), rule.access()) != null
          && granted.get(rule.permission()) != rule.access()) {
        throw new IllegalStateException("the rules grant " + rule.permission() + " to two kinds of users");
      }
    }
    if (granted.size() != Permission.values().length) {
      throw new IllegalStateException("no rule grants " + EnumSet.complementOf(EnumSet.copyOf(granted.keySet())));
    }
    return granted;
  }

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
   * Whether a logged-in user with these groups may do what the permission names, as the rules that grant
   * it answer for our API: what Cockpit's Image Foundry plugin and the engine REST API's cancel ask before
   * they do on a user's behalf what an API call would do.
   */
  public static boolean may(Collection<String> groups, Permission permission) {
    return grants(PERMISSIONS.get(permission), groups);
  }

  /** The table's answer for a logged-in user with these groups, for a request to this path. */
  static boolean allows(HttpMethod method, String path, Collection<String> groups) {
    PathContainer routed = PathContainer.parsePath(path);
    for (Rule rule : RULES) {
      if ((rule.method() == null || rule.method().equals(method))
          && PathPatternParser.defaultInstance.parse(rule.path()).matches(routed)) {
        return grants(rule.access(), groups);
      }
    }
    return groups.contains(Roles.ADMINS);
  }

  private static boolean grants(Access access, Collection<String> groups) {
    return switch (access) {
      case ANYONE, WEBAPP_LOGIN -> true;
      case BUILDERS -> groups.contains(Roles.BUILDERS) || groups.contains(Roles.ADMINS);
      case ADMINS -> groups.contains(Roles.ADMINS);
    };
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

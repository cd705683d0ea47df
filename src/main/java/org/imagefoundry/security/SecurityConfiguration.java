package org.imagefoundry.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.camunda.bpm.engine.rest.security.auth.impl.ContainerBasedAuthenticationProvider;
import org.imagefoundry.builds.BuildQueries;
import org.imagefoundry.builds.BuildService;
import org.imagefoundry.engine.UniqueBuildIds;
import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;

/**
 * Every door goes through Spring Security: paths that could be read two ways are refused
 * ({@link UnambiguousPaths}), logins are HTTP Basic against Camunda's users ({@link CamundaUsers}),
 * throttled per source ({@link LoginThrottleFilter}), and {@link AccessRules} decides who may call what.
 * Behind it, the engine REST API takes the user Spring Security authenticated, so Camunda's
 * authorization checks apply; only the operations an admin needs pass ({@link EngineRestOperations}), and its
 * starts are checked like ours ({@link EngineRestStarts}). The webapps keep their own session login, for
 * users who may open one of them ({@link WebappSessions}).
 */
@Configuration
public class SecurityConfiguration {

  @Bean
  public SecurityFilterChain security(HttpSecurity http, CamundaUsers users, LoginThrottle throttle) throws Exception {
    LoginThrottleFilter logins = new LoginThrottleFilter(throttle);
    return http
        // its own manager, without the global one as parent: the parent holds CamundaUsers too, and a
        // wrong password would be checked twice
        .authenticationManager(new ProviderManager(users))
        .httpBasic(basic -> basic.realmName("image-foundry"))
        .addFilterBefore(logins, BasicAuthenticationFilter.class)
        .addFilterAfter(logins.afterAuthentication(), BasicAuthenticationFilter.class)
        .authorizeHttpRequests(AccessRules::apply)
        // credentials come with every request and nothing of ours rides on a cookie; the webapps have
        // their own CSRF protection and session
        .csrf(AbstractHttpConfigurer::disable)
        .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .logout(AbstractHttpConfigurer::disable)
        .build();
  }

  @Bean
  public UnambiguousPaths unambiguousPaths() {
    return new UnambiguousPaths();
  }

  @Bean
  public WebSecurityCustomizer firewall(UnambiguousPaths paths) {
    return web -> web.httpFirewall(paths);
  }

  /** The same firewall once more, just before Spring Security, which parses the path before its firewall runs. */
  @Bean
  public FilterRegistrationBean<UnambiguousPaths> ambiguousPathsRefused(UnambiguousPaths paths) {
    var registration = new FilterRegistrationBean<>(paths);
    registration.setName("ambiguous-paths-refused");
    registration.setOrder(SecurityProperties.DEFAULT_FILTER_ORDER - 1);
    return registration;
  }

  /** After Spring Security (whose login throttle then sees the login's final answer), before Camunda's webapp filters. */
  @Bean
  public FilterRegistrationBean<WebappSessions> webappSessions() {
    var registration = new FilterRegistrationBean<>(new WebappSessions());
    registration.addUrlPatterns("/camunda/*");
    registration.setName("webapp-sessions");
    registration.setOrder(SecurityProperties.DEFAULT_FILTER_ORDER + 1);
    return registration;
  }

  @Bean
  public LoginThrottle loginThrottle(LoginThrottleSettings settings) {
    return new LoginThrottle(settings, Clock.systemUTC());
  }

  /** Camunda's filter takes the user Spring Security authenticated (the request's principal) and its groups. */
  @Bean
  public FilterRegistrationBean<ProcessEngineAuthenticationFilter> engineRestAuthentication() {
    var registration = new FilterRegistrationBean<>(new ProcessEngineAuthenticationFilter());
    registration.addInitParameter(ProcessEngineAuthenticationFilter.AUTHENTICATION_PROVIDER_PARAM,
        ContainerBasedAuthenticationProvider.class.getName());
    registration.addUrlPatterns("/engine-rest/*");
    registration.setName("engine-rest-authentication");
    registration.setOrder(1);
    return registration;
  }

  /** Before every other filter of the engine REST API's doors: who asks, then whether an admin may do that. */
  @Bean
  public FilterRegistrationBean<EngineRestOperations> engineRestOperations(ObjectMapper json) {
    var registration = new FilterRegistrationBean<>(new EngineRestOperations(json));
    registration.addUrlPatterns("/engine-rest/*", "/camunda/api/engine/*");
    registration.setName("engine-rest-operations");
    registration.setOrder(0);
    return registration;
  }

  @Bean
  public FilterRegistrationBean<EngineRestDeletes> engineRestDeletes(RuntimeService runtime,
      RepositoryService repository, BuildService builds, ObjectMapper json) {
    var registration = new FilterRegistrationBean<>(new EngineRestDeletes(runtime, repository, builds, json));
    registration.addUrlPatterns("/engine-rest/*", "/camunda/api/engine/*");
    registration.setName("engine-rest-deletes");
    registration.setOrder(3);
    return registration;
  }

  @Bean
  public FilterRegistrationBean<EngineRestStarts> engineRestStarts(BuildService builds, Callers callers,
      BuildQueries queries, UniqueBuildIds ids, ObjectMapper json) {
    var registration = new FilterRegistrationBean<>(new EngineRestStarts(builds, callers, queries, ids, json));
    registration.addUrlPatterns("/engine-rest/*", "/camunda/api/engine/*");
    registration.setName("engine-rest-starts");
    registration.setOrder(2);
    return registration;
  }
}

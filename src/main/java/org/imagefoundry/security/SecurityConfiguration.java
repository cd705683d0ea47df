package org.imagefoundry.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.camunda.bpm.engine.rest.security.auth.impl.HttpBasicAuthenticationProvider;
import org.imagefoundry.api.BuildService;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Every door needs a user except /actuator/health: our API, its docs and the actuator through
 * {@link BasicAuthentication}; the engine REST API through Camunda's own filter, so its authorization
 * checks apply; Cockpit through its own login.
 */
@Configuration
public class SecurityConfiguration {

  @Bean
  public FilterRegistrationBean<BasicAuthentication> apiAuthentication(IdentityService identity) {
    var registration = new FilterRegistrationBean<>(new BasicAuthentication(identity));
    registration.addUrlPatterns("/api/*", "/actuator/*", "/v3/*", "/swagger-ui/*", "/swagger-ui.html");
    registration.setName("api-authentication");
    registration.setOrder(1);
    return registration;
  }

  @Bean
  public FilterRegistrationBean<ProcessEngineAuthenticationFilter> engineRestAuthentication() {
    var registration = new FilterRegistrationBean<>(new ProcessEngineAuthenticationFilter());
    registration.addInitParameter(ProcessEngineAuthenticationFilter.AUTHENTICATION_PROVIDER_PARAM,
        HttpBasicAuthenticationProvider.class.getName());
    registration.addUrlPatterns("/engine-rest/*");
    registration.setName("engine-rest-authentication");
    registration.setOrder(1);
    return registration;
  }

  @Bean
  public FilterRegistrationBean<EngineRestStarts> engineRestStarts(BuildService builds, ObjectMapper json) {
    var registration = new FilterRegistrationBean<>(new EngineRestStarts(builds, json));
    registration.addUrlPatterns("/engine-rest/*", "/camunda/api/engine/*");
    registration.setName("engine-rest-starts");
    registration.setOrder(2);
    return registration;
  }
}

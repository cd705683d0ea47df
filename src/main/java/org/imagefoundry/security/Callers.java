package org.imagefoundry.security;

import jakarta.servlet.http.HttpServletRequest;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.imagefoundry.users.Caller;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * Who sends an HTTP request, with the rights of their Camunda groups: the user the authentication put
 * on the request (our API), or the engine user Camunda's own filter authenticated (the engine REST API).
 * Unknown users get no admin rights. The groups come from the login, which read them once.
 */
@Component
public class Callers {

  private final IdentityService identity;

  public Callers(IdentityService identity) {
    this.identity = identity;
  }

  public Caller of(HttpServletRequest request) {
    // the groups were read once, at login (CamundaUsers): they are the authentication's authorities
    var login = SecurityContextHolder.getContext().getAuthentication();
    if (login != null && login.isAuthenticated() && !(login instanceof AnonymousAuthenticationToken)) {
      return Caller.of(login.getName(), login.getAuthorities().stream().map(GrantedAuthority::getAuthority).toList());
    }
    Authentication engineUser = identity.getCurrentAuthentication();
    if (engineUser != null && engineUser.getUserId() != null) {
      return Caller.of(engineUser.getUserId(), engineUser.getGroupIds());
    }
    return Caller.builder(request.getRemoteUser() != null ? request.getRemoteUser() : "anonymous");
  }

}

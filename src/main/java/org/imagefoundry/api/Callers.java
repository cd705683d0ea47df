package org.imagefoundry.api;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.imagefoundry.spec.Caller;
import org.springframework.stereotype.Component;

/**
 * Who sends an HTTP request, with the rights of their Camunda groups: the user the authentication put
 * on the request (our API), or the engine user Camunda's own filter authenticated (the engine REST API).
 * Unknown users get no admin rights.
 */
@Component
public class Callers {

  private final IdentityService identity;

  public Callers(IdentityService identity) {
    this.identity = identity;
  }

  public Caller of(HttpServletRequest request) {
    Authentication engineUser = identity.getCurrentAuthentication();
    String user = request.getRemoteUser() != null ? request.getRemoteUser()
        : request.getUserPrincipal() != null ? request.getUserPrincipal().getName()
        : engineUser != null ? engineUser.getUserId() : null;
    if (user == null) {
      return Caller.builder("anonymous");
    }
    if (engineUser != null && user.equals(engineUser.getUserId()) && engineUser.getGroupIds() != null) {
      return Caller.of(user, engineUser.getGroupIds());
    }
    List<String> groups = identity.createGroupQuery().groupMember(user).list().stream().map(Group::getId).toList();
    return Caller.of(user, groups);
  }
}

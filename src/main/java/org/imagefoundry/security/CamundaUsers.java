package org.imagefoundry.security;

import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.imagefoundry.users.Roles;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.stereotype.Component;

/**
 * Spring Security's users are Camunda's: the password is checked by Camunda's identity service, and the
 * user's Camunda groups ({@link Roles}) are its authorities.
 */
@Component
public class CamundaUsers implements AuthenticationProvider {

  private final IdentityService identity;

  public CamundaUsers(IdentityService identity) {
    this.identity = identity;
  }

  @Override
  public Authentication authenticate(Authentication login) {
    String user = login.getName();
    Object password = login.getCredentials();
    if (password == null || !identity.checkPassword(user, password.toString())) {
      throw new BadCredentialsException("wrong user name or password");
    }
    List<GrantedAuthority> groups = identity.createGroupQuery().groupMember(user).list().stream()
        .map(group -> (GrantedAuthority) new SimpleGrantedAuthority(group.getId())).toList();
    return UsernamePasswordAuthenticationToken.authenticated(user, null, groups);
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
  }
}

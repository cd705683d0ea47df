package org.imagefoundry.security;

import java.security.SecureRandom;
import java.util.Base64;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Groups;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.users.Roles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The first administrator (Cockpit and the API): {@code image-foundry.admin.username}, member of
 * {@code camunda-admin}; and the group {@code image-builders} for upstream systems. With {@code image-foundry.admin.password} set, that password is (re)applied at
 * every start and the user unlocked: the documented way back from a lockout. Without it, a password is
 * generated once, when the user is created, and printed once.
 */
@Component
public class AdminUser {

  private static final Logger LOG = LoggerFactory.getLogger(AdminUser.class);

  private final ProcessEngine engine;
  private final FoundrySettings settings;

  public AdminUser(ProcessEngine engine, FoundrySettings settings) {
    this.engine = engine;
    this.settings = settings;
  }

  @EventListener(ApplicationReadyEvent.class)
  public void ensure() {
    IdentityService identity = engine.getIdentityService();
    String username = settings.admin().username();
    String configured = settings.admin().password();
    User user = identity.createUserQuery().userId(username).singleResult();
    if (user == null) {
      user = identity.newUser(username);
      user.setFirstName("Image Foundry");
      user.setLastName("Administrator");
      String password = configured != null && !configured.isBlank() ? configured : generated();
      user.setPassword(password);
      identity.saveUser(user);
      if (configured == null || configured.isBlank()) {
        LOG.warn("\n\n  Created the administrator '{}' with the generated password: {}\n"
            + "  It is shown this once; set image-foundry.admin.password to choose your own.\n", username, password);
      }
    } else if (configured != null && !configured.isBlank()) {
      user.setPassword(configured);
      identity.saveUser(user);
      identity.unlockUser(username);
    }
    ensureGroup(identity, Groups.CAMUNDA_ADMIN, "Camunda administrators");
    ensureGroup(identity, Roles.BUILDERS, "Image builders: may start and read builds");
    if (identity.createUserQuery().userId(username).memberOfGroup(Groups.CAMUNDA_ADMIN).count() == 0) {
      identity.createMembership(username, Groups.CAMUNDA_ADMIN);
    }
    grantAll(engine.getAuthorizationService(), Groups.CAMUNDA_ADMIN);
  }

  private static void ensureGroup(IdentityService identity, String id, String name) {
    if (identity.createGroupQuery().groupId(id).count() == 0) {
      Group group = identity.newGroup(id);
      group.setName(name);
      group.setType(Groups.GROUP_TYPE_SYSTEM);
      identity.saveGroup(group);
    }
  }

  /** What Camunda's own setup grants its admin group: everything on every resource. */
  private static void grantAll(AuthorizationService authorizations, String group) {
    for (Resource resource : Resources.values()) {
      if (authorizations.createAuthorizationQuery().groupIdIn(group).resourceType(resource).resourceId("*").count() == 0) {
        Authorization all = authorizations.createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
        all.setGroupId(group);
        all.setResource(resource);
        all.setResourceId("*");
        all.addPermission(Permissions.ALL);
        authorizations.saveAuthorization(all);
      }
    }
  }

  private static String generated() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}

package org.imagefoundry.testing;

import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resources;

/** Camunda users for the tests, made as an operator makes them in Camunda's Admin. */
public final class TestUsers {

  private TestUsers() {}

  /** Creates the user (in {@code group} if not null) unless it exists; whether it was created. */
  public static boolean create(ProcessEngine engine, String id, String password, String group) {
    var identity = engine.getIdentityService();
    if (identity.createUserQuery().userId(id).count() > 0) {
      return false;
    }
    var user = identity.newUser(id);
    user.setPassword(password);
    identity.saveUser(user);
    if (group != null) {
      identity.createMembership(id, group);
    }
    return true;
  }

  /** Grants the user the Cockpit application (Admin → Authorizations → Application); the grant made. */
  public static Authorization grantCockpit(ProcessEngine engine, String id) {
    var authorizations = engine.getAuthorizationService();
    Authorization cockpit = authorizations.createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
    cockpit.setUserId(id);
    cockpit.setResource(Resources.APPLICATION);
    cockpit.setResourceId("cockpit");
    cockpit.addPermission(Permissions.ACCESS);
    authorizations.saveAuthorization(cockpit);
    return cockpit;
  }
}

package org.imagefoundry.users;

import org.camunda.bpm.engine.authorization.Groups;

/**
 * Who may do what: Camunda groups, so Cockpit, the engine REST API and ours share one set of users. A
 * user's groups are its authorities in Spring Security ((security.CamundaUsers)); security.AccessRules says
 * what each may call.
 */
public final class Roles {

  /** May start builds and read them, their logs, the metrics and the API description. */
  public static final String BUILDERS = "image-builders";
  /** May do everything: cancel and retry builds, the engine REST API, Cockpit, Admin, Tasklist, health details. */
  public static final String ADMINS = Groups.CAMUNDA_ADMIN;

  private Roles() {}
}

package org.imagefoundry.security;

import java.util.Set;
import org.camunda.bpm.engine.authorization.Groups;

/** Who may do what: Camunda groups, so Cockpit, the engine REST API and ours share one set of users. */
public final class Roles {

  /** May start builds and read them. */
  public static final String BUILDERS = "image-builders";
  /** May also cancel and retry builds, and use Cockpit's operations. */
  public static final String ADMINS = Groups.CAMUNDA_ADMIN;

  private Roles() {}

  public static boolean mayBuild(Set<String> groups) {
    return groups.contains(BUILDERS) || groups.contains(ADMINS);
  }

  public static boolean mayOperate(Set<String> groups) {
    return groups.contains(ADMINS);
  }
}

package org.imagefoundry.users;

import java.util.Collection;

/**
 * Who asks for a build. Some choices are for admins only: repos on hosts outside
 * {@code image-foundry.allowed-repo-hosts}, {@code trusted} repos and a repo's own keyring.
 */
public record Caller(String user, boolean admin) {

  /**
   * A started build's variables as its steps re-read them: after the start only admins can change a
   * variable (the engine's authorizations), so the admin's choices stand; every other rule still applies.
   */
  public static final Caller ENGINE = new Caller("the engine", true);

  public static Caller of(String user, Collection<String> groups) {
    return new Caller(user, groups != null && groups.contains(Roles.ADMINS));
  }

  /** A caller without an admin's choices, for example one whose groups are not known. */
  public static Caller builder(String user) {
    return new Caller(user, false);
  }
}

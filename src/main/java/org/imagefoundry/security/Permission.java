package org.imagefoundry.security;

/**
 * What a user may do, asked by name ({@link AccessRules#may}) where the code acts for a user outside our
 * API (Cockpit's plugin, a cancel through the engine REST API). Each names the rules of the table that
 * guard the same action in our API, so that both doors answer alike.
 */
public enum Permission {
  /** See builds: the list, one build, its log, packages and SBOM. */
  READ_BUILDS,
  START_BUILD,
  CANCEL_BUILD,
  RETRY_BUILD,
  READ_NODES,
  EVACUATE_NODE
}

package org.imagefoundry.security;

import org.imagefoundry.users.Roles;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;

/**
 * {@link AccessRules#allows}: the rules table's answer for a logged-in user; {@link AccessRules#may}: the
 * same answer asked by name, as Cockpit's plugin and the engine REST API's cancel ask it.
 */
class AccessRulesTest {

  static final List<String> BUILDER = List.of(Roles.BUILDERS);
  static final List<String> ADMIN = List.of(Roles.ADMINS);
  static final List<String> NO_GROUP = List.of();

  @Test
  void buildersReadAdminsAlsoCancelAndRetryAUserInNoGroupNothing() {
    for (String read : List.of("/api/builds", "/api/builds/b1", "/api/builds/b1/log")) {
      assertThat(AccessRules.allows(HttpMethod.GET, read, BUILDER)).as(read).isTrue();
      assertThat(AccessRules.allows(HttpMethod.GET, read, ADMIN)).as(read).isTrue();
      assertThat(AccessRules.allows(HttpMethod.GET, read, NO_GROUP)).as(read).isFalse();
    }
    for (String change : List.of("/api/builds/b1/cancel", "/api/builds/b1/retry")) {
      assertThat(AccessRules.allows(HttpMethod.POST, change, BUILDER)).as(change).isFalse();
      assertThat(AccessRules.allows(HttpMethod.POST, change, ADMIN)).as(change).isTrue();
    }
  }

  @Test
  void whatNoRuleNamesIsForAdmins() {
    assertThat(AccessRules.allows(HttpMethod.DELETE, "/api/builds/b1", BUILDER)).isFalse();
    assertThat(AccessRules.allows(HttpMethod.GET, "/somewhere/else", BUILDER)).isFalse();
    assertThat(AccessRules.allows(HttpMethod.GET, "/somewhere/else", ADMIN)).isTrue();
  }

  @Test
  void aPermissionAskedByNameIsAnsweredAsTheRulesThatGrantItAnswerTheirPaths() {
    Set<Permission> granted = EnumSet.noneOf(Permission.class);
    for (AccessRules.Rule rule : AccessRules.RULES) {
      if (rule.permission() != null) {
        granted.add(rule.permission());
        for (List<String> groups : List.of(BUILDER, ADMIN, NO_GROUP)) {
          assertThat(AccessRules.may(groups, rule.permission()))
              .as(rule.permission() + " for " + groups + " as " + rule.method() + " " + rule.path())
              .isEqualTo(AccessRules.allows(rule.method(), rule.path().replace("{id}", "b1").replace("{name}", "n1"), groups));
        }
      }
    }
    assertThat(granted).as("every permission is granted by a rule").containsExactlyInAnyOrder(Permission.values());
  }

  @Test
  void buildersMayReadAndStartOnlyAdminsMayCancelRetryAndEvacuate() {
    for (Permission read : List.of(Permission.READ_BUILDS, Permission.START_BUILD, Permission.READ_NODES)) {
      assertThat(AccessRules.may(BUILDER, read)).as(read.name()).isTrue();
      assertThat(AccessRules.may(NO_GROUP, read)).as(read.name()).isFalse();
    }
    for (Permission change : List.of(Permission.CANCEL_BUILD, Permission.RETRY_BUILD, Permission.EVACUATE_NODE)) {
      assertThat(AccessRules.may(BUILDER, change)).as(change.name()).isFalse();
      assertThat(AccessRules.may(ADMIN, change)).as(change.name()).isTrue();
      assertThat(AccessRules.may(NO_GROUP, change)).as(change.name()).isFalse();
    }
  }
}

package org.imagefoundry.security;

import org.imagefoundry.users.Roles;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;

/** {@link AccessRules#allows}: the rules table's answer for a logged-in user, as Cockpit's plugin asks it. */
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
}

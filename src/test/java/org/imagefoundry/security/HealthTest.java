package org.imagefoundry.security;

import org.imagefoundry.users.Roles;
import static org.assertj.core.api.Assertions.assertThat;

import org.camunda.bpm.engine.IdentityService;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ProcessTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Health without a login says only whether the service is up; what it is made of is for admins. */
@ProcessTest
class HealthTest {

  @LocalServerPort int port;
  @Autowired IdentityService identity;

  @Test
  void anyoneSeesTheStatusOnly() {
    if (identity.createUserQuery().userId("healthbuilder").count() == 0) {
      var user = identity.newUser("healthbuilder");
      user.setPassword("health-secret");
      identity.saveUser(user);
      identity.createMembership("healthbuilder", Roles.BUILDERS);
    }
    for (Api caller : new Api[] {new Api(base(), null, null), new Api(base(), "healthbuilder", "health-secret")}) {
      Api.Response health = caller.get("/actuator/health");
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.json().fieldNames()).toIterable().containsExactly("status");
      assertThat(health.body()).doesNotContain("image-foundry-process-test", "buildHost", "diskSpace");
    }
  }

  @Test
  void anAdminSeesTheComponentsAndTheirDetails() {
    Api.Response health = new Api(base(), "admin", ProcessTest.ADMIN_PASSWORD).get("/actuator/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().get("components").fieldNames()).toIterable().contains("buildHost", "processEngine");
    assertThat(health.json().at("/components/buildHost/details").isEmpty()).isFalse();
  }

  String base() {
    return "http://localhost:" + port;
  }
}

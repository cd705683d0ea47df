package org.imagefoundry.security;

import org.imagefoundry.users.Roles;
import static org.assertj.core.api.Assertions.assertThat;

import org.camunda.bpm.engine.IdentityService;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.Requests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Who may call what: nobody without credentials, a user in no group nothing but health, builders start
 * and read, admins also cancel and retry; the engine REST API gets the same users (see also
 * {@link AuthorizationMatrixTest}).
 */
@ProcessTest
class AuthenticationTest {

  @LocalServerPort int port;
  @Autowired IdentityService identity;
  @Autowired FoundrySettings settings;

  Api anonymous;
  Api builder;
  Api admin;

  @BeforeEach
  void setUp() {
    if (identity.createUserQuery().userId("upstream").count() == 0) {
      var user = identity.newUser("upstream");
      user.setPassword("upstream-secret");
      identity.saveUser(user);
      identity.createMembership("upstream", Roles.BUILDERS);
    }
    String base = "http://localhost:" + port;
    anonymous = new Api(base, null, null);
    builder = new Api(base, "upstream", "upstream-secret");
    admin = new Api(base, "admin", ProcessTest.ADMIN_PASSWORD);
  }

  @Test
  void withoutCredentialsEverythingButHealthIsRefused() {
    assertThat(anonymous.get("/api/builds").status()).isEqualTo(401);
    assertThat(anonymous.post("/api/builds", Requests.twoImages(settings)).status()).isEqualTo(401);
    assertThat(anonymous.get("/engine-rest/process-definition").status()).isEqualTo(401);
    assertThat(anonymous.get("/actuator/prometheus").status()).isEqualTo(401);
    assertThat(anonymous.get("/actuator/health").status()).isEqualTo(200);
    assertThat(new Api("http://localhost:" + port, "nobody", "wrong").get("/api/builds").status()).isEqualTo(401);
  }

  @Test
  void aBuilderStartsAndReadsButCannotCancelOrRetry() {
    String id = builder.start(Requests.twoImages(settings));
    assertThat(builder.get("/api/builds/" + id).status()).isEqualTo(200);

    assertThat(builder.post("/api/builds/" + id + "/cancel", "").status()).isEqualTo(403);
    assertThat(builder.post("/api/builds/" + id + "/retry", "").status()).isEqualTo(403);

    assertThat(admin.post("/api/builds/" + id + "/retry", "").status()).isEqualTo(409);
    assertThat(admin.post("/api/builds/" + id + "/cancel", "").status()).isEqualTo(202);
  }

  @Test
  void theEngineRestApiKnowsTheSameUsers() {
    assertThat(admin.get("/engine-rest/process-definition").status()).isEqualTo(200);
    assertThat(admin.get("/engine-rest/process-definition").body()).contains("buildImage");
    // the engine itself knows who calls (else this is a 401), so its authorization checks apply
    Api.Response check = admin.get("/engine-rest/authorization/check?permissionName=READ&resourceName=Deployment&resourceType=9");
    assertThat(check.status()).as(check.body()).isEqualTo(200);
    assertThat(check.json().get("authorized").asBoolean()).isTrue();
  }

  @Test
  void aUserInNoGroupMayLogInButDoNothing() {
    if (identity.createUserQuery().userId("loner").count() == 0) {
      var user = identity.newUser("loner");
      user.setPassword("loner-secret");
      identity.saveUser(user);
    }
    Api loner = new Api("http://localhost:" + port, "loner", "loner-secret");
    assertThat(loner.get("/api/builds").status()).isEqualTo(403);
    assertThat(loner.get("/engine-rest/process-definition").status()).isEqualTo(403);
    assertThat(loner.get("/actuator/health").status()).isEqualTo(200);
  }
}

package org.imagefoundry.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.camunda.bpm.engine.ProcessEngine;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.Requests;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * Below {@code image-foundry.quotas.min-free-space} in the build root or an output root, a new build is a
 * 507 (problem+json) and nothing starts; only an admin is told which directory. A floor no disk reaches,
 * in its own context (database and engine name).
 */
@ProcessTest
@TestPropertySource(properties = {"image-foundry.quotas.min-free-space=1000000TB",
    "spring.datasource.url=jdbc:h2:mem:free-space-floor-test;DB_CLOSE_DELAY=-1",
    "image-foundry.build-root=${java.io.tmpdir}/image-foundry-floor-test/build",
    "image-foundry.allowed-output-roots=${java.io.tmpdir}/image-foundry-floor-test/images",
    "image-foundry.node-name=floor-node",
    "camunda.bpm.process-engine-name=freeSpaceFloorTest"})
class FreeSpaceFloorTest {

  @LocalServerPort int port;
  @Autowired ProcessEngine engine;
  @Autowired FoundrySettings settings;
  @Autowired org.camunda.bpm.engine.IdentityService identity;

  @Test
  void belowTheFloorANewBuildIs507NamingNoPathButToAnAdmin() {
    if (identity.createUserQuery().userId("floorbuilder").count() == 0) {
      var user = identity.newUser("floorbuilder");
      user.setPassword("floor-secret-1");
      identity.saveUser(user);
      identity.createMembership("floorbuilder", org.imagefoundry.users.Roles.BUILDERS);
    }
    Api builder = new Api("http://localhost:" + port, "floorbuilder", "floor-secret-1");
    Api admin = new Api("http://localhost:" + port, "admin", ProcessTest.ADMIN_PASSWORD);

    Api.Response refused = builder.post("/api/builds", Requests.twoImages(settings));

    assertThat(refused.status()).as(refused.body()).isEqualTo(507);
    assertThat(refused.json().get("title").asText()).isEqualTo("Insufficient storage");
    assertThat(refused.body()).doesNotContain(settings.buildRoot().toString())
        .doesNotContain(settings.allowedOutputRoots().get(0).toString()).doesNotContain("min-free-space")
        .doesNotContain("Exception");
    Api.Response toAdmin = admin.post("/api/builds", Requests.twoImages(settings));
    assertThat(toAdmin.status()).isEqualTo(507);
    assertThat(toAdmin.body()).contains(settings.buildRoot().toString());
    assertThat(engine.getRuntimeService().createProcessInstanceQuery().count()).isZero();
  }
}

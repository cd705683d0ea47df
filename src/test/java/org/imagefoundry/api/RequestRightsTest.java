package org.imagefoundry.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.identity.User;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.users.Roles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * What a builder may ask for and an admin may too: repos on unlisted hosts, trusted repos and own
 * keyrings are the admin's; hostile mkfs options, patterns and removals are nobody's. Each refusal is a
 * 400 naming the field, and nothing starts. Plain Basic credentials of Camunda users.
 */
@ProcessTest
class RequestRightsTest {

  static final String BUILDER = "rightsbuilder";
  static final String BUILDER_PASSWORD = "builder-secret-1";

  @LocalServerPort int port;
  @Autowired IdentityService identity;
  @Autowired RuntimeService runtime;
  Api builder;
  Api admin;

  @BeforeEach
  void setUp() {
    if (identity.createUserQuery().userId(BUILDER).count() == 0) {
      User user = identity.newUser(BUILDER);
      user.setPassword(BUILDER_PASSWORD);
      identity.saveUser(user);
      identity.createMembership(BUILDER, Roles.BUILDERS);
    }
    builder = new Api("http://localhost:" + port, BUILDER, BUILDER_PASSWORD);
    admin = new Api("http://localhost:" + port, "admin", ProcessTest.ADMIN_PASSWORD);
  }

  static String request(Consumer<ObjectNode> change) {
    ObjectNode request = HostileRequestsTest.valid();
    change.accept(request);
    return request.toString();
  }

  static ObjectNode extraRepo(ObjectNode request) {
    return ((com.fasterxml.jackson.databind.node.ArrayNode) request.get("repos")).addObject()
        .put("name", "extra").put("suite", "bookworm").put("uri", "http://127.0.0.1:9/debian");
  }

  void refused(Api api, String field, String body) {
    long processes = runtime.createProcessInstanceQuery().count();

    Api.Response response = api.post("/api/builds", body);

    assertThat(response.status()).as(response.body()).isEqualTo(400);
    assertThat(response.json().get("problems").findValuesAsText("field")).as(response.body()).contains(field);
    assertThat(runtime.createProcessInstanceQuery().count()).isEqualTo(processes);
  }

  @Test
  void aBuildersRequestOnTheListedHostStarts() {
    assertThat(builder.post("/api/builds", request(r -> extraRepo(r))).status()).isEqualTo(201);
  }

  @Test
  void aBuilderGetsA400ForAnUnlistedHostATrustedRepoOrAKeyring() throws Exception {
    refused(builder, "repos[1].uri", request(r -> extraRepo(r).put("uri", "http://169.254.169.254/latest")));
    refused(builder, "repos[0].uri", request(r -> HostileRequestsTest.repo(r).put("uri", "http://10.1.2.3:8080/debian")));
    refused(builder, "repos[1].trusted", request(r -> extraRepo(r).put("trusted", true)));
    refused(builder, "proxies.protocols.http", request(r -> r.putObject("proxies").putObject("protocols")
        .put("http", "http://10.0.0.1:3128")));
    Path keyring = Files.list(Path.of("/usr/share/keyrings")).filter(Files::isRegularFile).findFirst().orElseThrow();
    refused(builder, "repos[1].keyring", request(r -> extraRepo(r).put("keyring", keyring.toString())));
  }

  @Test
  void anAdminsUnlistedHostAndTrustedRepoStart() {
    Api.Response response = admin.post("/api/builds", request(r -> extraRepo(r)
        .put("uri", "http://repo.internal.example.net/debian").put("trusted", true)));

    assertThat(response.status()).as(response.body()).isEqualTo(201);
  }

  @Test
  void hostileMkfsOptionsPatternsAndRemovalsAreNobodys() {
    for (Api api : new Api[] {builder, admin}) {
      refused(api, "image_data./.options[0]", request(r -> HostileRequestsTest.root(r).putArray("options")
          .add("-d").add("/var/lib/image-foundry/data")));
      refused(api, "image_data./.options[0]", request(r -> HostileRequestsTest.root(r).putArray("options")
          .add("-z").add("/tmp/undo")));
      refused(api, "image_data./.options[1]", request(r -> HostileRequestsTest.root(r).putArray("options")
          .add("-E").add("root_owner=0:0")));
      refused(api, "packages[0]", request(r -> HostileRequestsTest.packages(r, "a.+")));
      refused(api, "packages[1]", request(r -> HostileRequestsTest.packages(r, "less", "openssh-server-")));
    }
  }
}

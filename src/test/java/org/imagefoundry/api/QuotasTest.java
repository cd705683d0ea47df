package org.imagefoundry.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.identity.User;
import org.imagefoundry.admission.AdmissionRefused;
import org.imagefoundry.builds.BuildService;
import org.imagefoundry.host.BuildIds;
import org.imagefoundry.process.BuildProcess;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.users.Caller;
import org.imagefoundry.users.Roles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One user may have {@code image-foundry.quotas.max-builds-per-user} builds queued or running: the next
 * is a 429 with Retry-After, on every start path, and nothing starts; other users are not held back, and
 * a build that ends makes room. Its own context (a cap of 2, its own database and engine name).
 */
@ProcessTest
@TestPropertySource(properties = {"image-foundry.quotas.max-builds-per-user=2",
    "image-foundry.quotas.retry-after=PT45S",
    "spring.datasource.url=jdbc:h2:mem:quotas-test;DB_CLOSE_DELAY=-1",
    "image-foundry.build-root=${java.io.tmpdir}/image-foundry-quotas-test/build",
    "image-foundry.allowed-output-roots=${java.io.tmpdir}/image-foundry-quotas-test/images",
    "image-foundry.node-name=quotas-node",
    "camunda.bpm.process-engine-name=quotasTest"})
class QuotasTest {

  static final String USER = "quotauser";
  static final String OTHER = "quotaother";
  static final String BURST = "quotaburst";
  static final String PASSWORD = "quota-secret-1";

  @LocalServerPort int port;
  @Autowired ProcessEngine engine;
  @Autowired IdentityService identity;
  @Autowired BuildService builds;
  @Autowired FoundrySettings settings;
  @Autowired org.imagefoundry.engine.SlotClaims slotClaims;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void setUp() {
    for (String user : java.util.List.of(USER, OTHER, BURST)) {
      if (identity.createUserQuery().userId(user).count() == 0) {
        User created = identity.newUser(user);
        created.setPassword(PASSWORD);
        identity.saveUser(created);
        identity.createMembership(user, Roles.BUILDERS);
      }
    }
  }

  HttpResponse<String> post(String user, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .header("Content-Type", "application/json")
        .header("Authorization", "Basic " + Base64.getEncoder()
            .encodeToString((user + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  String request(String directory) {
    return Requests.twoImagesIn(settings, directory);
  }

  @Test
  void ofManyStartsOfOneUserAtOnceExactlyTheCapIsAccepted() throws Exception {
    int starts = 12;
    var threads = java.util.concurrent.Executors.newFixedThreadPool(starts);
    var go = new java.util.concurrent.CountDownLatch(1);
    java.util.List<java.util.concurrent.Future<HttpResponse<String>>> answers = new java.util.ArrayList<>();
    for (int i = 0; i < starts; i++) {
      String request = request("burst-" + i);
      answers.add(threads.submit(() -> {
        go.await();
        return post(BURST, "/api/builds", request);
      }));
    }
    go.countDown();
    java.util.List<Integer> statuses = new java.util.ArrayList<>();
    for (var answer : answers) {
      statuses.add(answer.get(2, java.util.concurrent.TimeUnit.MINUTES).statusCode());
    }
    threads.shutdown();

    assertThat(statuses).containsOnly(201, 429);
    assertThat(statuses.stream().filter(s -> s == 201).count()).as("accepted of %s", statuses).isEqualTo(2);
  }

  long running() {
    return engine.getRuntimeService().createProcessInstanceQuery().count();
  }

  @Test
  void beyondItsCapAUserGets429WithRetryAfterOnEveryStartPathAndOthersStillStart() throws Exception {
    // prepared while there is room: its start, past the API's own check, meets the start listener's
    var prepared = builds.prepare(request("user-3"), Caller.builder(USER), BuildIds.newId());
    String first = null;
    for (int i = 0; i < 2; i++) {
      var accepted = post(USER, "/api/builds", request("user-" + i));
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
      first = first == null ? accepted.headers().firstValue("Location").orElseThrow() : first;
    }
    long before = running();

    var refused = post(USER, "/api/builds", request("user-2"));

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("45");
    assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/problem+json"));
    assertThat(refused.body()).contains(USER).contains("2 builds queued or running");
    // the Java API (and so the engine REST API and Tasklist) passes the same start listener
    assertThatThrownBy(() -> engine.getRuntimeService().createProcessInstanceByKey(BuildProcess.KEY)
        .businessKey(prepared.id()).setVariables(prepared.variables()).execute())
        .isInstanceOf(AdmissionRefused.class).extracting(e -> ((AdmissionRefused) e).status()).isEqualTo(429);
    assertThat(running()).isEqualTo(before);

    assertThat(post(OTHER, "/api/builds", request("other-0")).statusCode()).isEqualTo(201);

    String id = first.substring(first.lastIndexOf('/') + 1);
    assertThat(builds.cancel(id, "a test makes room")).isEqualTo(BuildService.Outcome.DONE);
    new org.imagefoundry.testing.ProcessDriver(engine, slotClaims).run(
        engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(id).singleResult());
    assertThat(post(USER, "/api/builds", request("user-2")).statusCode()).as("room again").isEqualTo(201);
  }
}

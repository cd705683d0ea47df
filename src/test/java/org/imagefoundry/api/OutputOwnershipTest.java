package org.imagefoundry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.imagefoundry.engine.SlotClaims;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ProcessDriver;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.users.Roles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Outputs belong to builds: a file a build that has not ended claims is refused to any other (409
 * naming it), a finished build's files to another builder (403 naming the owner); its own user may
 * replace them, and the earlier build then says which build superseded it and reports no checksums of
 * files that are not its own. Of concurrent starts to one output exactly one is accepted.
 */
@ProcessTest
class OutputOwnershipTest {

  static final String ONE = "outputsone";
  static final String TWO = "outputstwo";
  static final String PASSWORD = "outputs-secret-1";

  @LocalServerPort int port;
  @Autowired ProcessEngine engine;
  @Autowired IdentityService identity;
  @Autowired SlotClaims slotClaims;
  @Autowired FoundrySettings settings;
  ProcessDriver driver;
  Api one;
  Api two;
  Api admin;
  /** A directory of the output root no other test publishes to. */
  String output;

  @BeforeEach
  void setUp() {
    init(engine);
    for (String user : List.of(ONE, TWO)) {
      if (identity.createUserQuery().userId(user).count() == 0) {
        User created = identity.newUser(user);
        created.setPassword(PASSWORD);
        identity.saveUser(created);
        identity.createMembership(user, Roles.BUILDERS);
      }
    }
    one = new Api("http://localhost:" + port, ONE, PASSWORD);
    two = new Api("http://localhost:" + port, TWO, PASSWORD);
    admin = new Api("http://localhost:" + port, "admin", ProcessTest.ADMIN_PASSWORD);
    driver = new ProcessDriver(engine, slotClaims);
    output = "owned-" + UUID.randomUUID();
  }

  @AfterEach
  void resetClock() {
    ProcessDriver.resetClock();
  }

  String request() {
    return Requests.twoImagesIn(settings, output);
  }

  /** The same files, another request (so it is built, not skipped). */
  String otherRequest() {
    return request().replace("\"less\"", "\"less\", \"vim-tiny\"");
  }

  ProcessInstance instance(String id) {
    return engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(id).singleResult();
  }

  String built(Api api, String request) {
    String id = api.start(request);
    driver.run(instance(id));
    assertThat(api.build(id).get("state").asText()).isEqualTo("SUCCEEDED");
    return id;
  }

  Path dir() {
    return settings.allowedOutputRoots().get(0).resolve(output);
  }

  @Test
  void aFileOfABuildThatHasNotEndedIsRefusedWith409NamingThatBuild() {
    String first = one.start(request());
    long builds = engine.getRuntimeService().createProcessInstanceQuery().count();

    for (Api other : List.of(one, two, admin)) {
      Api.Response second = other.post("/api/builds", otherRequest());
      assertThat(second.status()).as(second.body()).isEqualTo(409);
      assertThat(second.json().get("detail").asText()).contains(first).doesNotContain("Exception");
    }
    assertThat(engine.getRuntimeService().createProcessInstanceQuery().count()).isEqualTo(builds);
  }

  @Test
  void theEngineRestApiRefusesAFileABuildHoldsNamingThatBuild() throws Exception {
    String first = one.start(request());
    long builds = engine.getRuntimeService().createProcessInstanceQuery().count();
    String start = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(java.util.Map.of("variables",
        java.util.Map.of("request", java.util.Map.of("value", otherRequest(), "type", "String"))));

    var refused = new org.imagefoundry.testing.RawHttp(port).send("POST",
        "/engine-rest/process-definition/key/buildImage/start", org.imagefoundry.testing.RawHttp.basic("admin",
            ProcessTest.ADMIN_PASSWORD), start);

    assertThat(refused.status()).as(refused.body()).isEqualTo(409);
    assertThat(refused.body()).contains(first);
    assertThat(engine.getRuntimeService().createProcessInstanceQuery().count()).isEqualTo(builds);
  }

  @Test
  void anotherBuilderGets403NamingTheOwnerAndTheFirstBuildsFilesAndMd5sStay() throws IOException {
    String first = built(one, request());
    List<String> before = md5sOnDisk();

    Api.Response second = two.post("/api/builds", otherRequest());

    assertThat(second.status()).as(second.body()).isEqualTo(403);
    assertThat(second.json().get("detail").asText()).contains(first).contains(ONE);
    assertThat(md5sOnDisk()).isEqualTo(before);
    assertThat(reportedMd5s(first)).isEqualTo(before);
  }

  @Test
  void theSameUserReplacesItsFilesAndTheEarlierBuildSaysItWasSuperseded() throws IOException {
    String first = built(one, request());
    assertThat(one.build(first).get("supersededBy").isNull()).isTrue();

    String second = built(one, otherRequest());

    JsonNode earlier = one.build(first);
    assertThat(earlier.get("supersededBy").asText()).isEqualTo(second);
    assertThat(earlier.get("images").isNull()).as("no checksums of files that are another build's").isTrue();
    assertThat(reportedMd5s(second)).isEqualTo(md5sOnDisk());
    assertThat(one.build(second).get("supersededBy").isNull()).isTrue();
  }

  @Test
  void anAdminMayReplaceABuildersFiles() throws IOException {
    String first = built(one, request());

    String second = built(admin, otherRequest());

    assertThat(admin.build(first).get("supersededBy").asText()).isEqualTo(second);
    assertThat(reportedMd5s(second)).isEqualTo(md5sOnDisk());
  }

  @Test
  void aCancelledBuildFreesItsFilesForAnyone() {
    String first = one.start(request());
    assertThat(admin.post("/api/builds/" + first + "/cancel", "").status()).isEqualTo(202);
    driver.run(instance(first));
    assertThat(one.build(first).get("state").asText()).isEqualTo("CANCELLED");

    assertThat(two.post("/api/builds", otherRequest()).status()).isEqualTo(201);
  }

  @Test
  void aSkippedRebuildLeavesTheFilesToTheBuildThatPublishedThem() throws IOException {
    String first = built(one, request());

    String again = one.start(request());
    driver.run(instance(again));

    assertThat(one.build(again).get("state").asText()).isEqualTo("SKIPPED");
    assertThat(one.build(first).get("supersededBy").isNull()).isTrue();
    assertThat(reportedMd5s(first)).isEqualTo(md5sOnDisk());
    assertThat(two.post("/api/builds", otherRequest()).status()).as("still the first build's").isEqualTo(403);
  }

  @Test
  void ofConcurrentStartsToOneOutputExactlyOneIsAccepted() throws Exception {
    int starts = 8;
    ExecutorService threads = Executors.newFixedThreadPool(starts);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Api.Response>> answers = new ArrayList<>();
    for (int i = 0; i < starts; i++) {
      String request = request().replace("\"less\"", "\"less\", \"p" + i + "\"");
      Api api = i % 2 == 0 ? one : two;
      answers.add(threads.submit(() -> {
        go.await();
        return api.post("/api/builds", request);
      }));
    }
    go.countDown();
    List<Integer> statuses = new ArrayList<>();
    for (Future<Api.Response> answer : answers) {
      statuses.add(answer.get(120, TimeUnit.SECONDS).status());
    }
    threads.shutdown();

    assertThat(statuses).as("statuses").containsOnly(201, 409);
    assertThat(statuses.stream().filter(s -> s == 201).count()).as("accepted, of %s", statuses).isEqualTo(1);
  }

  /** The container md5s the API reports for the build's images, in order. */
  List<String> reportedMd5s(String id) {
    return one.build(id).get("images").findValuesAsText("container_md5");
  }

  /** The md5s of the two image files on disk, in the request's order. */
  List<String> md5sOnDisk() throws IOException {
    List<String> md5s = new ArrayList<>();
    for (String name : List.of("root.img.gz", "var.img.zst")) {
      md5s.add(md5(dir().resolve(name)));
    }
    return md5s;
  }

  static String md5(Path file) throws IOException {
    MessageDigest digest = md5();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

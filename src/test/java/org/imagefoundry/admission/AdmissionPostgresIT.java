package org.imagefoundry.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.identity.User;
import org.imagefoundry.engine.SlotClaims;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.Postgres;
import org.imagefoundry.testing.ProcessDriver;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.users.Roles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The claims and the cap on PostgreSQL (scripts/postgres), where a start blocks on another's uncommitted
 * row rather than on H2's locks: of starts at once to one output one is accepted, of one user's burst
 * exactly the cap, and a finished build's files are refused to another builder and replaced by its owner.
 */
@ProcessTest
@TestPropertySource(properties = {"image-foundry.quotas.max-builds-per-user=3",
    "image-foundry.build-root=${java.io.tmpdir}/image-foundry-admission-pg/build",
    "image-foundry.allowed-output-roots=${java.io.tmpdir}/image-foundry-admission-pg/images",
    "image-foundry.node-name=admission-pg",
    "camunda.bpm.process-engine-name=admissionPostgres"})
class AdmissionPostgresIT {

  static final String PASSWORD = "pg-secret-1";

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    String url = Postgres.freshDatabaseUrl();
    registry.add("spring.datasource.url", () -> url);
    registry.add("spring.datasource.username", () -> Postgres.USER);
    registry.add("spring.datasource.password", () -> Postgres.PASSWORD);
  }

  @LocalServerPort int port;
  @Autowired ProcessEngine engine;
  @Autowired IdentityService identity;
  @Autowired SlotClaims slotClaims;
  @Autowired FoundrySettings settings;
  Api one;
  Api two;

  @BeforeEach
  void setUp() {
    for (String user : List.of("pgone", "pgtwo", "pgburst")) {
      if (identity.createUserQuery().userId(user).count() == 0) {
        User created = identity.newUser(user);
        created.setPassword(PASSWORD);
        identity.saveUser(created);
        identity.createMembership(user, Roles.BUILDERS);
      }
    }
    one = api("pgone");
    two = api("pgtwo");
  }

  @AfterEach
  void resetClock() {
    ProcessDriver.resetClock();
  }

  Api api(String user) {
    return new Api("http://localhost:" + port, user, PASSWORD);
  }

  /** The statuses of {@code count} starts sent at once, the i-th by {@code apiOf(i)} with {@code requestOf(i)}. */
  static List<Integer> atOnce(int count, IntFunction<Api> apiOf, IntFunction<String> requestOf) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(count);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Integer>> answers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Api api = apiOf.apply(i);
      String request = requestOf.apply(i);
      answers.add(threads.submit(() -> {
        go.await();
        return api.post("/api/builds", request).status();
      }));
    }
    go.countDown();
    List<Integer> statuses = new ArrayList<>();
    for (Future<Integer> answer : answers) {
      statuses.add(answer.get(2, TimeUnit.MINUTES));
    }
    threads.shutdown();
    return statuses;
  }

  @Test
  void ofStartsAtOnceToOneOutputOneIsAccepted() throws Exception {
    String output = "race-" + UUID.randomUUID();
    List<Integer> statuses = atOnce(8, i -> i % 2 == 0 ? one : two,
        i -> Requests.twoImagesIn(settings, output).replace("\"less\"", "\"less\", \"p" + i + "\""));

    assertThat(statuses).containsOnly(201, 409);
    assertThat(statuses.stream().filter(s -> s == 201).count()).as("accepted of %s", statuses).isEqualTo(1);
  }

  @Test
  void ofOneUsersBurstExactlyTheCapIsAccepted() throws Exception {
    Api burst = api("pgburst");
    List<Integer> statuses = atOnce(10, i -> burst, i -> Requests.twoImagesIn(settings, "burst-" + UUID.randomUUID()));

    assertThat(statuses).containsOnly(201, 429);
    assertThat(statuses.stream().filter(s -> s == 201).count()).as("accepted of %s", statuses).isEqualTo(3);
  }

  @Test
  void aFinishedBuildsFilesAreRefusedToAnotherBuilderAndReplacedByItsOwner() {
    String request = Requests.twoImagesIn(settings, "owned-" + UUID.randomUUID());
    ProcessDriver driver = new ProcessDriver(engine, slotClaims);
    String first = one.start(request);
    driver.run(engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(first).singleResult());
    assertThat(one.build(first).get("state").asText()).isEqualTo("SUCCEEDED");

    Api.Response other = two.post("/api/builds", request.replace("\"less\"", "\"less\", \"vim-tiny\""));
    assertThat(other.status()).as(other.body()).isEqualTo(403);
    assertThat(other.body()).contains(first).contains("pgone");

    String second = one.start(request.replace("\"less\"", "\"less\", \"vim-tiny\""));
    driver.run(engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(second).singleResult());
    assertThat(one.build(first).get("supersededBy").asText()).isEqualTo(second);
    assertThat(one.build(first).get("images").isNull()).isTrue();
  }
}

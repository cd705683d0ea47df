package org.imagefoundry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.ProcessDriver;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.Requests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** What operators and upstream systems watch: progress, the followed log, metrics, API docs, health. */
@ProcessTest
class OperationsTest {

  @LocalServerPort int port;
  @Autowired ProcessEngine engine;
  @Autowired org.imagefoundry.engine.SlotClaims slotClaims;
  @Autowired FakeHost host;
  @Autowired LogFollowers followers;
  @Autowired FoundrySettings settings;
  Api api;
  ProcessDriver driver;

  @BeforeEach
  void setUp() {
    init(engine);
    host.reset();
    Requests.clean(settings);
    api = new Api("http://localhost:" + port, "admin", ProcessTest.ADMIN_PASSWORD);
    driver = new ProcessDriver(engine, slotClaims);
  }

  @AfterEach
  void resetClock() {
    ProcessDriver.resetClock();
  }

  ProcessInstance start() {
    String id = api.start(Requests.twoImages(settings).replace("\"less\"", "\"less\", \"" + System.nanoTime() % 1000 + "x\""));
    return engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(id).singleResult();
  }

  @Test
  void progressAndPhaseTimesComeFromTheEnginesHistory() {
    ProcessInstance build = start();
    driver.runUntil(build, "debootstrap");

    JsonNode halfway = api.build(build.getBusinessKey());
    assertThat(halfway.get("phase").asText()).isEqualTo("debootstrap");
    assertThat(halfway.get("progress").asDouble()).isEqualTo(6.0 / 22);
    assertThat(halfway.get("phases").findValuesAsText("phase"))
        .containsExactly("checkExistingImages", "createChroot", "createSparseFiles", "attachLoopDevices",
            "makeFilesystems", "mountTarget");
    assertThat(halfway.get("phases").get(0).get("durationMs").asLong()).isGreaterThanOrEqualTo(0);

    driver.run(build);
    JsonNode done = api.build(build.getBusinessKey());
    assertThat(done.get("progress").asDouble()).isEqualTo(1.0);
    assertThat(done.get("phases")).hasSize(22);
  }

  @Test
  void followingALogStreamsLinesAsTheyAreWrittenAndEndsWithTheBuild() throws Exception {
    ProcessInstance build = start();
    long wakesBefore = followers.wakes();
    String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + ProcessTest.ADMIN_PASSWORD).getBytes());
    List<Instant> arrivals = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    CompletableFuture<Void> follower = HttpClient.newHttpClient().sendAsync(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/builds/" + build.getBusinessKey()
            + "/log?follow=true")).header("Authorization", auth).build(),
        HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> response.body().forEach(line -> {
          synchronized (lines) {
            lines.add(line);
            arrivals.add(Instant.now());
          }
        }));

    Instant halfway = null;
    while (driver.step(build)) {
      Thread.sleep(300);
      if (halfway == null && engine.getHistoryService().createHistoricActivityInstanceQuery()
          .processInstanceId(build.getId()).activityId("debootstrap").finished().count() > 0) {
        halfway = Instant.now();
        synchronized (lines) {
          assertThat(lines).as("lines followed while the build runs").anyMatch(l -> l.contains("phase debootstrap finished"));
        }
      }
    }
    Instant ended = Instant.now();
    follower.get(java.time.Duration.ofSeconds(30).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);

    assertThat(halfway).isNotNull();
    assertThat(lines).anyMatch(l -> l.contains("[sweep] phase sweep finished"));
    assertThat(lines).allMatch(l -> l.matches("\\S+ \\[pid \\d+\\] \\[\\w*\\] .*"));
    assertThat(arrivals.get(0)).isBefore(halfway);
    assertThat(arrivals.get(arrivals.size() - 1)).isAfter(ended.minusSeconds(5));
    assertThat(followers.wakes()).as("the build's end, once committed, woke the followers").isGreaterThan(wakesBefore);
  }

  @Test
  void prometheusCountsTheBuildsAndTimesThePhases() {
    double startedBefore = metric("imagefoundry_builds_started_total");
    double succeededBefore = metric("imagefoundry_builds_ended_total{outcome=\"succeeded\"");
    double debootstrapsBefore = metric("imagefoundry_phase_duration_seconds_count{phase=\"debootstrap\"");

    driver.run(start());
    driver.run(start());

    assertThat(metric("imagefoundry_builds_started_total")).isEqualTo(startedBefore + 2);
    assertThat(metric("imagefoundry_builds_ended_total{outcome=\"succeeded\"")).isEqualTo(succeededBefore + 2);
    assertThat(metric("imagefoundry_phase_duration_seconds_count{phase=\"debootstrap\"")).isEqualTo(debootstrapsBefore + 2);
    String scrape = api.get("/actuator/prometheus").body();
    assertThat(scrape).contains("imagefoundry_builds_running", "imagefoundry_builds_incidents",
        "imagefoundry_image_size_bytes_count{kind=\"container\"", "imagefoundry_phase_duration_seconds_bucket");
  }

  @Test
  void theApiIsDescribedWithItsRequestSchema() {
    JsonNode docs = api.get("/v3/api-docs").json();

    JsonNode post = docs.at("/paths/~1api~1builds/post");
    assertThat(post.isMissingNode()).isFalse();
    // the request body is the JSON Schema the API serves, referred to by its path on this server
    String ref = post.at("/requestBody/content/application~1json/schema/$ref").asText();
    assertThat(ref).isEqualTo("/api/schema/build-request");
    JsonNode schema = api.get(ref).json();
    assertThat(schema.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
    assertThat(schema.get("properties").fieldNames()).toIterable()
        .contains("image_data", "output", "codename", "repos", "packages", "proxies", "disk");
    assertThat(api.get("/swagger-ui/index.html").status()).isEqualTo(200);
  }

  @Test
  void healthShowsTheEngineAndTheBuildHost() {
    JsonNode health = api.get("/actuator/health").json();

    // the job executor's health shows where it runs (RealBuildIT); here it is off
    assertThat(health.get("components").fieldNames()).toIterable().contains("processEngine", "buildHost");
  }

  double metric(String prefix) {
    Pattern line = Pattern.compile("^" + Pattern.quote(prefix) + "[^ ]* ([0-9.eE+-]+)$", Pattern.MULTILINE);
    Matcher m = line.matcher(api.get("/actuator/prometheus").body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}

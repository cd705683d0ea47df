package org.imagefoundry.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ProcessTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Request bodies, log followers and pages are bounded: a client cannot make the service hold what it
 * sends, and one user cannot take every log follower.
 */
@ProcessTest
@org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
class BoundedResourcesTest {

  static final long HUGE = 200L << 20;
  static final String FOLLOWER_PASSWORD = "follower-pw";
  static final String AUTH = "Basic " + Base64.getEncoder().encodeToString(
      ("admin:" + ProcessTest.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));

  @LocalServerPort int port;
  @Autowired LogFollowers followers;
  @Autowired FoundrySettings settings;
  @Autowired org.camunda.bpm.engine.RuntimeService runtime;
  @Autowired org.camunda.bpm.engine.IdentityService identity;
  Api api;

  @BeforeEach
  void setUp() {
    api = new Api("http://localhost:" + port, "admin", ProcessTest.ADMIN_PASSWORD);
  }

  /** Sends a POST of {@code HUGE} bytes (declared, or chunked) and returns the status line, read while sending. */
  String postHuge(boolean chunked) throws Exception {
    try (Socket socket = new Socket("localhost", port)) {
      socket.setSoTimeout(60_000);
      var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      CompletableFuture<String> status = CompletableFuture.supplyAsync(() -> {
        try {
          return in.readLine();
        } catch (IOException e) {
          return "unread: " + e;
        }
      });
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/builds HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + AUTH
          + "\r\nContent-Type: application/json\r\n"
          + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + HUGE + "\r\n") + "\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      byte[] block = new byte[64 * 1024];
      java.util.Arrays.fill(block, (byte) ' ');
      try {
        for (long sent = 0; sent < HUGE && !status.isDone(); sent += block.length) {
          if (chunked) {
            out.write((Integer.toHexString(block.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
          }
          out.write(block);
          if (chunked) {
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
          }
        }
        if (chunked) {
          out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.flush();
      } catch (IOException e) {
        // the service closed the connection after answering: expected
      }
      return status.get(60, TimeUnit.SECONDS);
    }
  }

  static long usedHeap() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void fourConcurrent200MegabyteBodiesGet413AndLeaveTheHeapAsItWas(boolean chunked) throws Exception {
    long before = usedHeap();
    long peak = before;
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> statuses = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        statuses.add(clients.submit(() -> postHuge(chunked)));
      }
      for (Future<String> status : statuses) {
        while (!status.isDone()) {
          Runtime runtime = Runtime.getRuntime();
          peak = Math.max(peak, runtime.totalMemory() - runtime.freeMemory());
          Thread.sleep(20);
        }
        assertThat(status.get()).startsWith("HTTP/1.1 413");
      }
    } finally {
      clients.shutdownNow();
    }
    long after = usedHeap();

    assertThat(after - before).as("heap growth in bytes").isLessThan(32L << 20);
    assertThat(peak - before).as("peak heap growth while the bodies came").isLessThan(HUGE);
  }

  @Test
  void aBodyJustOverTheLimitIsA413AndOneWithinIsRead() {
    assertThat(api.post("/api/builds", " ".repeat(BuildController.MAX_REQUEST + 1)).status()).isEqualTo(413);
    assertThat(api.post("/api/builds", HostileRequestsTest.valid() + " ".repeat(1000)).status()).isEqualTo(201);
  }

  @ParameterizedTest
  @ValueSource(strings = {"limit=-1", "limit=0", "limit=abc", "limit=1001", "limit=99999999999999999999",
      "limit=2147483647", "limit=2147483648", "limit=1.5", "limit=", "offset=-1", "offset=abc",
      "offset=99999999999", "offset=2147483647", "limit=10&offset=-5", "state=BOGUS"})
  void aBadPageSizeOffsetOrStateIsA400NamingIt(String query) {
    Api.Response response = api.get("/api/builds?" + query);

    assertThat(response.status()).as(response.body()).isEqualTo(400);
    String field = query.substring(query.lastIndexOf('&') + 1, query.lastIndexOf('='));
    assertThat(response.json().get("problems").findValuesAsText("field")).contains(field);
  }

  @Test
  void goodPagesAreServed() {
    api.start(HostileRequestsTest.valid().toString());
    // another output: the first build, which runs, claims its files
    api.start(HostileRequestsTest.valid().put("output", HostileRequestsTest.valid().get("output").asText() + "-2").toString());

    assertThat(api.get("/api/builds?limit=1").json()).hasSize(1);
    assertThat(api.get("/api/builds?limit=1000&offset=0").status()).isEqualTo(200);
    assertThat(api.get("/api/builds?limit=1&offset=1000000").json()).isEmpty();
    assertThat(api.get("/api/builds?state=RUNNING&limit=1&offset=1").json()).hasSize(1);
  }

  static long threadsOutsideTheServletPool() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .filter(t -> !t.getName().startsWith("http-nio-")).count();
  }

  static long threadsNamed(String part) {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .filter(t -> t.getName().contains(part)).count();
  }

  /** Starts following the build's log as {@code user}; the socket (open) and whether it follows (else 429). */
  boolean follow(String id, String user, List<Socket> clients) throws IOException {
    Socket socket = new Socket("localhost", port);
    socket.setSoTimeout(10_000);
    clients.add(socket);
    String password = user.equals("admin") ? ProcessTest.ADMIN_PASSWORD : FOLLOWER_PASSWORD;
    socket.getOutputStream().write(("GET /api/builds/" + id + "/log?follow=true HTTP/1.1\r\nHost: localhost\r\n"
        + "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8))
        + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1))
        .readLine();
    assertThat(status).matches("HTTP/1.1 (200|429) .*");
    return status.startsWith("HTTP/1.1 200");
  }

  /** How many of {@code attempts} follows of {@code user} got through. */
  int follows(String id, String user, int attempts, List<Socket> clients) throws IOException {
    int following = 0;
    for (int i = 0; i < attempts; i++) {
      following += follow(id, user, clients) ? 1 : 0;
    }
    return following;
  }

  void builder(String id) {
    if (identity.createUserQuery().userId(id).count() == 0) {
      var user = identity.newUser(id);
      user.setPassword(FOLLOWER_PASSWORD);
      identity.saveUser(user);
      identity.createMembership(id, org.imagefoundry.users.Roles.BUILDERS);
    }
  }

  void awaitNoFollowers() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (followers.count() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(followers.count()).as("followers 10 s after their clients left").isZero();
  }

  @Test
  void followersAreBoundedHoldNoThreadAndAreGoneSecondsAfterTheirClients(CapturedOutput output) throws Exception {
    awaitNoFollowers(); // another test's
    String id = api.start(HostileRequestsTest.valid().toString()); // the job executor is off: it never ends
    int max = settings.limits().maxLogFollowers();
    long threadsBefore = threadsOutsideTheServletPool();
    long tickThreads = threadsNamed(LogFollowers.THREAD_NAME); // one per application context
    List<Socket> clients = new ArrayList<>();
    List<String> users = List.of("admin", "follower1", "follower2", "follower3", "follower4", "follower5");
    users.stream().filter(user -> !user.equals("admin")).forEach(this::builder);
    try {
      int following = 0;
      for (String user : users) {
        following += follows(id, user, 40, clients);
      }

      assertThat(following).isEqualTo(max);
      assertThat(followers.count()).isEqualTo(max);
      assertThat(threadsOutsideTheServletPool()).as("threads while %d follow", max).isLessThanOrEqualTo(threadsBefore + 2);
      assertThat(threadsNamed(LogFollowers.THREAD_NAME)).isEqualTo(tickThreads);
    } finally {
      for (Socket socket : clients) {
        socket.close();
      }
    }
    int leaving = output.getAll().length();

    awaitNoFollowers();
    assertThat(output.getAll().substring(leaving)).as("what %d clients leaving logged", max)
        .doesNotContain(" WARN ").doesNotContain("\tat ");
    assertThat(threadsOutsideTheServletPool()).isLessThanOrEqualTo(threadsBefore + 2);
    assertThat(threadsNamed("MvcAsync")).isZero();
    assertThat(api.get("/api/builds/" + id).status()).isEqualTo(200);
  }

  @Test
  void oneUserHoldingManyFollowersLeavesRoomForTheOthers(CapturedOutput output) throws Exception {
    awaitNoFollowers(); // another test's
    String id = api.start(HostileRequestsTest.valid().toString());
    int max = settings.limits().maxLogFollowers();
    builder("greedy");
    builder("other");
    List<Socket> clients = new ArrayList<>();
    try {
      int before = output.getAll().length();
      // (a follower whose start fails gives its place back: count what is held, not the answers)
      assertThat(follows(id, "greedy", 100, clients)).as("one user alone").isBetween(LogFollowers.share(max, 1), 99);
      assertThat(followers.count()).as("held by one user alone").isEqualTo(LogFollowers.share(max, 1));
      assertThat(output.getAll().substring(before)).as("what the refused followers logged").doesNotContain(" WARN ");
      assertThat(follow(id, "admin", clients)).as("the admin, while the builder holds its share").isTrue();
      assertThat(follows(id, "other", 100, clients)).as("another builder").isBetween(LogFollowers.share(max, 3), 99);
      assertThat(followers.count()).as("held by the three")
          .isEqualTo(LogFollowers.share(max, 1) + 1 + LogFollowers.share(max, 3)).isLessThanOrEqualTo(max);
    } finally {
      for (Socket socket : clients) {
        socket.close();
      }
    }
    awaitNoFollowers();
  }

  @Test
  void aUsersShareShrinksAsMoreUsersFollow() {
    assertThat(LogFollowers.share(64, 1)).isEqualTo(32);
    assertThat(LogFollowers.share(64, 2)).isEqualTo(21);
    assertThat(LogFollowers.share(64, 100)).isEqualTo(1);
    assertThat(LogFollowers.share(1, 1)).isEqualTo(1);
  }

  @Test
  void aFollowerOfAnEndedBuildGetsTheWholeLogAndEnds() throws Exception {
    String id = api.start(HostileRequestsTest.valid().toString());
    java.nio.file.Path log = settings.dataDir().resolve("logs").resolve(id + ".log");
    java.nio.file.Files.createDirectories(log.getParent());
    java.nio.file.Files.writeString(log, "line one\nline two\n");
    runtime.deleteProcessInstance(runtime.createProcessInstanceQuery().processInstanceBusinessKey(id).singleResult()
        .getId(), "ended for the test");

    Api.Response response = api.get("/api/builds/" + id + "/log?follow=true");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).startsWith("line one\nline two\n");
  }
}

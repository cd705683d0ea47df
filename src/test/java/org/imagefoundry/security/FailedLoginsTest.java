package org.imagefoundry.security;

import org.imagefoundry.users.Roles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.digest.PasswordManager;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.RawHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Wrong passwords slow down whoever sends them and never keep the user out for good: after a burst, the
 * source is answered 429 for a short while, and then the right password works again. The webapps'
 * login form is throttled the same way, and still lets the admin into Cockpit. Parallel wrong logins
 * get no more password checks than the throttle allows.
 */
@ProcessTest
class FailedLoginsTest {

  static final String VICTIM = "victim";
  static final String PASSWORD = "victim-secret";

  static final int MAX_FAILURES = 10;

  @LocalServerPort int port;
  @Autowired IdentityService identity;
  @Autowired ProcessEngine engine;

  /**
   * The victims: one per way in, as the engine locks a user for a while after failed logins of its own
   * (its login delay), and then answers 401 without checking a password at all.
   */
  static final String BASIC_VICTIM = "basicvictim";
  static final String WEBAPP_VICTIM = "webappvictim";

  @BeforeEach
  void setUp() {
    for (String id : List.of(VICTIM, BASIC_VICTIM, WEBAPP_VICTIM)) {
      if (identity.createUserQuery().userId(id).count() == 0) {
        var user = identity.newUser(id);
        user.setPassword(PASSWORD);
        identity.saveUser(user);
        identity.createMembership(id, Roles.BUILDERS);
      }
    }
  }

  String base() {
    return "http://localhost:" + port;
  }

  @Test
  void fiftyWrongPasswordsLeaveTheRightOneWorkingWithinAMinute() {
    List<Integer> answers = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      answers.add(new Api(base(), VICTIM, "wrong-" + i).get("/api/builds").status());
    }
    assertThat(answers).startsWith(401).contains(429).containsOnly(401, 429);

    Api victim = new Api(base(), VICTIM, PASSWORD);
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
        .until(() -> victim.get("/api/builds").status() == 200);
  }

  @Test
  void twoHundredParallelWrongLoginsGetAtMostMaxFailuresPasswordChecks() throws Exception {
    assertThat(parallelWrongLogins("127.0.0.2", "GET", "/api/builds", RawHttp.basic(BASIC_VICTIM, "wrong"), Map.of(), null))
        .as("password checks of 200 parallel HTTP Basic logins").isBetween(0, MAX_FAILURES);
    // the login form wants the CSRF token of a session: that of a browser that opened Cockpit (not a login)
    Webapp browser = new Webapp();
    String cookies = browser.cookies.getCookieStore().getCookies().stream().map(HttpCookie::toString)
        .reduce((a, b) -> a + "; " + b).orElseThrow();
    Map<String, String> headers = Map.of("Content-Type", "application/x-www-form-urlencoded", "Cookie", cookies,
        "X-XSRF-TOKEN", browser.csrfToken());
    assertThat(parallelWrongLogins("127.0.0.3", "POST", "/camunda/api/admin/auth/user/default/login/cockpit", null,
        headers, "username=" + WEBAPP_VICTIM + "&password=wrong"))
        .as("password checks of 200 parallel webapp logins").isBetween(0, MAX_FAILURES);
  }

  /** Sends 200 wrong logins at once from {@code from}; each is 401 or 429. Returns how many passwords the engine checked. */
  int parallelWrongLogins(String from, String method, String path, String authorization, Map<String, String> headers,
      String form) throws Exception {
    var config = (ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration();
    PasswordManager original = config.getPasswordManager();
    AtomicInteger checks = new AtomicInteger();
    config.setPasswordManager(new PasswordManager(config.getPasswordEncryptor(), List.of()) {
      @Override
      public boolean check(String password, String encrypted) {
        checks.incrementAndGet();
        return original.check(password, encrypted);
      }
    });
    RawHttp http = new RawHttp(port, InetAddress.getByName(from));
    ExecutorService pool = Executors.newFixedThreadPool(200);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        answers.add(pool.submit(() -> {
          start.await();
          return http.send(method, path, authorization, null, headers, form).status();
        }));
      }
      start.countDown();
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> answer : answers) {
        statuses.add(answer.get(2, TimeUnit.MINUTES));
      }
      assertThat(statuses).containsOnly(401, 429).contains(429);
      // what the throttle let through is at most its limit, and no password was checked beyond those (a
      // login that the engine or the webapp refuses before its check, under load, is a 401 without one)
      long through = statuses.stream().filter(s -> s == 401).count();
      assertThat(through).isBetween(1L, (long) MAX_FAILURES);
      assertThat((long) checks.get()).isLessThanOrEqualTo(through);
      return checks.get();
    } finally {
      pool.shutdownNow();
      config.setPasswordManager(original);
    }
  }

  @Test
  void theWebappLoginIsThrottledTooAndTheAdminGetsIntoCockpitAfterwards() throws Exception {
    Webapp webapp = new Webapp();
    List<Integer> answers = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      answers.add(webapp.login("admin", "wrong-" + i));
    }
    assertThat(answers).startsWith(401).contains(429).containsOnly(401, 429);

    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
        .until(() -> webapp.login("admin", ProcessTest.ADMIN_PASSWORD) == 200);
    HttpResponse<String> definitions = webapp.get("/camunda/api/engine/engine/default/process-definition");
    assertThat(definitions.statusCode()).isEqualTo(200);
    assertThat(definitions.body()).contains("buildImage");
  }

  /** A browser on Cockpit: its session cookie and CSRF token, its login form. */
  class Webapp {
    final CookieManager cookies = new CookieManager();
    final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).build();

    Webapp() throws Exception {
      for (String page : List.of("/camunda/app/cockpit/default/", "/camunda/app/cockpit/camunda-cockpit-bootstrap.js",
          "/camunda/lib/deps.js")) {
        assertThat(get(page).statusCode()).as(page).isEqualTo(200);
      }
    }

    HttpResponse<String> get(String path) throws Exception {
      return http.send(withCsrf(HttpRequest.newBuilder(URI.create(base() + path))).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    }

    int login(String user, String password) throws Exception {
      String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
          + URLEncoder.encode(password, StandardCharsets.UTF_8);
      HttpRequest login = withCsrf(HttpRequest.newBuilder(URI.create(base() + "/camunda/api/admin/auth/user/default/login/cockpit")))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(form)).build();
      return http.send(login, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private HttpRequest.Builder withCsrf(HttpRequest.Builder request) {
      String token = csrfToken();
      return token == null ? request : request.header("X-XSRF-TOKEN", token);
    }

    String csrfToken() {
      return cookies.getCookieStore().getCookies().stream().filter(cookie -> cookie.getName().equals("XSRF-TOKEN"))
          .map(HttpCookie::getValue).reduce((first, last) -> last).orElse(null);
    }
  }
}

package org.imagefoundry.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ProcessTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Wrong passwords slow down whoever sends them and never keep the user out for good: after a burst, the
 * source is answered 429 for a short while, and then the right password works again. The webapps'
 * login form is throttled the same way, and still lets the admin into Cockpit.
 */
@ProcessTest
class FailedLoginsTest {

  static final String VICTIM = "victim";
  static final String PASSWORD = "victim-secret";

  @LocalServerPort int port;
  @Autowired IdentityService identity;

  @BeforeEach
  void setUp() {
    if (identity.createUserQuery().userId(VICTIM).count() == 0) {
      var user = identity.newUser(VICTIM);
      user.setPassword(PASSWORD);
      identity.saveUser(user);
      identity.createMembership(VICTIM, Roles.BUILDERS);
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
      for (HttpCookie cookie : cookies.getCookieStore().getCookies()) {
        if (cookie.getName().equals("XSRF-TOKEN")) {
          request.header("X-XSRF-TOKEN", cookie.getValue());
        }
      }
      return request;
    }
  }
}

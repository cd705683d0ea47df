package org.imagefoundry.security;

import org.imagefoundry.users.Roles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.Job;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.ProcessDriver;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.RawHttp;
import org.imagefoundry.testing.Requests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Who may call what, door by door: every protected path, as written and written another way, for no
 * user, a user in no group, a builder and an admin. The requests go over a raw socket, so the server
 * sees each path exactly as written here.
 */
@ProcessTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationMatrixTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String NOBODY = "matrixnobody";
  static final String BUILDER = "matrixbuilder";
  static final String PASSWORD = "matrix-secret";

  @LocalServerPort int port;
  @Autowired ProcessEngine engine;
  @Autowired org.imagefoundry.engine.SlotClaims slotClaims;
  @Autowired IdentityService identity;
  @Autowired FakeHost host;
  @Autowired FoundrySettings settings;

  RawHttp http;
  /** No user, a user in no group, a builder, an admin: the columns of the matrix. */
  final Map<String, String> users = new LinkedHashMap<>();
  String ended;
  String running;
  String cleanupJob;

  /** One row: a request and the status each of the four users gets. */
  record Row(String method, String path, String body, int anonymous, int nobody, int builder, int admin) {
    int[] expected() {
      return new int[] {anonymous, nobody, builder, admin};
    }
  }

  @BeforeAll
  void setUp() {
    init(engine);
    host.reset();
    Requests.clean(settings);
    user(NOBODY, null);
    user(BUILDER, Roles.BUILDERS);
    users.put("no user", null);
    users.put("no group", RawHttp.basic(NOBODY, PASSWORD));
    users.put("builder", RawHttp.basic(BUILDER, PASSWORD));
    users.put("admin", RawHttp.basic("admin", ProcessTest.ADMIN_PASSWORD));
    http = new RawHttp(port);

    Api admin = new Api("http://localhost:" + port, "admin", ProcessTest.ADMIN_PASSWORD);
    ended = admin.start(request("ended"));
    new ProcessDriver(engine, slotClaims).run(engine.getRuntimeService().createProcessInstanceQuery()
        .processInstanceBusinessKey(ended).singleResult());
    running = admin.start(request("running"));
    List<Job> cleanup = engine.getHistoryService().findHistoryCleanupJobs();
    cleanupJob = cleanup.isEmpty() ? engine.getHistoryService().cleanUpHistoryAsync(true).getId() : cleanup.get(0).getId();
  }

  @AfterAll
  void resetClock() {
    ProcessDriver.resetClock();
  }

  void user(String id, String group) {
    if (identity.createUserQuery().userId(id).count() == 0) {
      var user = identity.newUser(id);
      user.setPassword(PASSWORD);
      identity.saveUser(user);
      if (group != null) {
        identity.createMembership(id, group);
      }
    }
  }

  static final String MATRIX = "matrix";

  String request(String name) {
    long unique = System.nanoTime();
    return Requests.twoImages(settings).replace("root.img.gz", name + "-" + unique + ".img.gz")
        .replace("var.img.zst", name + "-" + unique + "-var.img.zst");
  }

  String engineStart(String request) {
    try {
      return JSON.writeValueAsString(Map.of("variables", Map.of("request", Map.of("value", request, "type", "String"))));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  List<Row> rows() {
    return List.of(
        new Row("GET", "/api/builds", null, 401, 403, 200, 200),
        new Row("POST", "/api/builds", request(MATRIX), 401, 403, 201, 201),
        new Row("GET", "/api/builds/" + ended, null, 401, 403, 200, 200),
        new Row("GET", "/api/builds/" + ended + "/log", null, 401, 403, 200, 200),
        new Row("GET", "/api/builds/" + ended + "/packages", null, 401, 403, 200, 200),
        new Row("GET", "/api/builds/" + ended + "/sbom", null, 401, 403, 200, 200),
        new Row("POST", "/api/builds/" + ended + "/retry", "", 401, 403, 403, 409),
        new Row("POST", "/api/builds/" + running + "/cancel", "", 401, 403, 403, 202),
        new Row("GET", "/api/nodes", null, 401, 403, 200, 200),
        // a node the cluster never heard of: the admin gets through to the answer that says so
        new Row("POST", "/api/nodes/no-such-node/evacuate", "", 401, 403, 403, 404),
        new Row("GET", "/engine-rest/engine", null, 401, 403, 403, 200),
        new Row("GET", "/engine-rest/process-definition", null, 401, 403, 403, 200),
        new Row("GET", "/engine-rest/process-instance", null, 401, 403, 403, 200),
        new Row("GET", "/engine-rest/history/process-instance", null, 401, 403, 403, 200),
        new Row("GET", "/engine-rest/job", null, 401, 403, 403, 200),
        new Row("GET", "/engine-rest/user", null, 401, 403, 403, 200),
        // an admin is not root: retries yes, suspension no (EngineRestOperations)
        new Row("PUT", "/engine-rest/job/" + cleanupJob + "/retries", "{\"retries\": 1}", 401, 403, 403, 204),
        new Row("PUT", "/engine-rest/job/" + cleanupJob + "/suspended", "{\"suspended\": false}", 401, 403, 403, 403),
        new Row("POST", "/engine-rest/process-definition/key/buildImage/start", engineStart(request("engine")),
            401, 403, 403, 200),
        // the engine knows who calls: its own check answers for the authenticated user
        new Row("GET", "/engine-rest/authorization/check?permissionName=READ&resourceName=Deployment&resourceType=9",
            null, 401, 403, 403, 200),
        new Row("GET", "/actuator/health", null, 200, 200, 200, 200),
        new Row("GET", "/favicon.ico", null, 302, 302, 302, 302), // to Camunda's: a browser asks on every page
        // the Cockpit plugin: behind the webapps' session login, which a Basic login is not
        new Row("GET", "/camunda/api/cockpit/plugin/image-foundry/default/builds", null, 401, 403, 403, 401),
        new Row("GET", "/actuator/health/buildHost", null, 404, 404, 404, 200),
        new Row("GET", "/actuator/prometheus", null, 401, 403, 200, 200),
        new Row("GET", "/actuator/info", null, 401, 403, 200, 200),
        new Row("GET", "/actuator", null, 401, 403, 403, 200),
        new Row("GET", "/v3/api-docs", null, 401, 403, 200, 200),
        new Row("GET", "/api/schema/build-request", null, 401, 403, 200, 200),
        new Row("GET", "/swagger-ui/index.html", null, 401, 403, 200, 200),
        // the webapps: their page and login for anyone; their data after their own session login only
        new Row("GET", "/camunda/app/cockpit/default/", null, 200, 403, 403, 200),
        new Row("GET", "/camunda/api/engine/engine/default/process-definition", null, 401, 403, 403, 401),
        // not ambiguous, just not a rule of builders: the default rule (admins) decides
        new Row("GET", "/api/builds/", null, 401, 403, 403, 404),
        new Row("GET", "/API/builds", null, 401, 403, 403, 404),
        new Row("POST", "/api/builds/" + ended + "/retry/", "", 401, 403, 403, 404));
  }

  @Test
  void everyPathAsWrittenAnswersEachUserAsTheRulesSay() {
    List<String> wrong = new ArrayList<>();
    for (Row row : rows()) {
      check(row, row.path(), row.expected(), wrong);
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void everyPathWrittenAnotherWayIsRefusedBeforeAnyoneIsAsked() {
    List<String> wrong = new ArrayList<>();
    for (Row row : rows()) {
      for (String variant : variants(row.path())) {
        check(row, variant, new int[] {400, 400, 400, 400}, wrong);
      }
    }
    assertThat(wrong).isEmpty();
  }

  private void check(Row row, String path, int[] expected, List<String> wrong) {
    int column = 0;
    for (Map.Entry<String, String> user : users.entrySet()) {
      // each user's start names files of its own: the first accepted build claims the files it names
      String body = row.body() == null ? null : row.body().replace(MATRIX, MATRIX + "-" + user.getKey());
      RawHttp.Response response = http.send(row.method(), path, user.getValue(), body);
      System.out.printf("matrix: %-6s %-110s %-9s %d%n", row.method(), path, user.getKey(), response.status());
      if (response.status() != expected[column]) {
        wrong.add(row.method() + " " + path + " as " + user.getKey() + ": " + response.status() + ", expected "
            + expected[column]);
      }
      column++;
    }
  }

  /** The path written other ways that a lenient server would route to the same place. */
  static List<String> variants(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    String query = q < 0 ? "" : pathAndQuery.substring(q);
    String[] segments = path.substring(1).split("/", -1);
    if (segments[0].isEmpty()) {
      return List.of();
    }
    String first = "/" + segments[0];
    String rest = path.substring(first.length());
    int last = path.lastIndexOf('/');
    List<String> variants = new ArrayList<>();
    variants.add(encodeLetter(path, last + 1, true));            // /api/%62uilds
    variants.add(encodeLetter(path, 1, false));                  // /%61pi/builds
    variants.add(first + ";x=y" + rest);                         // /api;x=y/builds
    variants.add(path + ";x=y");                                 // /api/builds;x=y
    if (!rest.isEmpty()) {
      variants.add(first + "/" + rest);                          // /api//builds
    }
    variants.add("/" + path);                                    // //api/builds
    variants.add(first + "/." + rest);                           // /api/./builds
    variants.add(first + "/x/.." + rest);                        // /api/x/../builds
    variants.add(first + "/%2e" + rest);                         // /api/%2e/builds
    variants.add(first + "/x/%2e%2e" + rest);                    // /api/x/%2e%2e/builds
    variants.add(first + "/x/..;" + rest);                       // /api/x/..;/builds
    variants.add(path + "/.");                                   // /api/builds/.
    variants.add(encodeDigitOrDash(path));                       // /api/builds/4f1c%32a9e-...
    if (!rest.isEmpty()) {
      variants.add(first + "%2F" + rest.substring(1));           // /api%2Fbuilds
      variants.add(first + "%3B" + rest);                        // /api%3B/builds
      variants.add(first + "%5C" + rest.substring(1));           // /api%5Cbuilds
      variants.add(first + "\\" + rest.substring(1));            // /api\builds
      variants.add(first + "%00" + rest);                        // /api%00/builds
    }
    return variants.stream().map(v -> v + query).toList();
  }

  private static String encodeDigitOrDash(String path) {
    for (int i = 1; i < path.length(); i++) {
      char c = path.charAt(i);
      if (Character.isDigit(c) || c == '-') {
        return path.substring(0, i) + "%" + Integer.toHexString(c).toUpperCase() + path.substring(i + 1);
      }
    }
    return path + "%2D";
  }

  private static String encodeLetter(String path, int from, boolean upper) {
    for (int i = from; i < path.length(); i++) {
      char c = path.charAt(i);
      if (Character.isLetter(c)) {
        String hex = Integer.toHexString(c);
        return path.substring(0, i) + "%" + (upper ? hex.toUpperCase() : hex) + path.substring(i + 1);
      }
    }
    return path + "%41"; // no letter: an encoded one added still must not pass
  }
}

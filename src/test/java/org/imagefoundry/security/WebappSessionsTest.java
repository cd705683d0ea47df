package org.imagefoundry.security;

import org.imagefoundry.users.Roles;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.imagefoundry.testing.CockpitSession;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A Camunda webapp session only for users who may open an application: a user in no group and a builder
 * without an application authorization are refused at every login form (Welcome's too), and hold no
 * session afterwards; an admin, and a builder an admin let into Cockpit, log in.
 */
@ProcessTest
@ExtendWith(OutputCaptureExtension.class)
class WebappSessionsTest {

  static final String PASSWORD = "sessions-test-pw";
  static final String VIEWER = "/camunda/api/cockpit/plugin/image-foundry/default/builds/viewer";
  static final String WHO = "/camunda/api/admin/auth/user/default";

  @LocalServerPort int port;
  @Autowired ProcessEngine engine;

  @BeforeEach
  void setUp() {
    user("sessionnobody", null);
    user("sessionbuilder", Roles.BUILDERS);
    if (user("sessioncockpitbuilder", Roles.BUILDERS)) {
      TestUsers.grantCockpit(engine, "sessioncockpitbuilder");
    }
  }

  /** Creates the user (in {@code group} if not null) unless it exists; whether it was created. */
  boolean user(String id, String group) {
    return TestUsers.create(engine, id, PASSWORD, group);
  }

  String base() {
    return "http://localhost:" + port;
  }

  @ParameterizedTest
  @ValueSource(strings = {"welcome", "cockpit", "tasklist", "admin"})
  void aUserInNoGroupAndABuilderWithoutApplicationAuthorizationGetNoSession(String app) {
    for (String user : new String[] {"sessionnobody", "sessionbuilder"}) {
      CockpitSession session = CockpitSession.logIn(base(), user, PASSWORD, app);

      assertThat(session.loginStatus()).as("%s at %s", user, app).isEqualTo(403);
      assertThat(session.send("GET", WHO, null).status()).as("who is logged in").isEqualTo(404);
      assertThat(session.send("GET", VIEWER, null).status()).as("the plugin").isIn(401, 403);
      assertThat(session.send("GET", "/camunda/api/engine/engine/default/process-definition", null).status())
          .as("the webapps' engine API").isIn(401, 403);
    }
  }

  @Test
  void anAdminAndABuilderAllowedIntoCockpitLogIn() {
    for (String app : new String[] {"welcome", "cockpit", "admin"}) {
      CockpitSession admin = CockpitSession.logIn(base(), "admin", ProcessTest.ADMIN_PASSWORD, app);
      assertThat(admin.loginStatus()).as(app).isEqualTo(200);
      assertThat(admin.send("GET", WHO, null).json().get("userId").asText()).isEqualTo("admin");
    }

    CockpitSession builder = CockpitSession.logIn(base(), "sessioncockpitbuilder", PASSWORD, "welcome");
    assertThat(builder.loginStatus()).isEqualTo(200);
    assertThat(builder.send("GET", VIEWER, null).json().get("mayCancel").asBoolean()).isFalse();
    assertThat(CockpitSession.logIn(base(), "sessioncockpitbuilder", PASSWORD, "admin").loginStatus())
        .as("Camunda's own check: Admin is not among its applications").isEqualTo(403);
  }

  @Test
  void aRefusedLoginIsOneLineInTheLog(CapturedOutput output) {
    int before = output.getAll().length();

    assertThat(CockpitSession.logIn(base(), "sessionnobody", PASSWORD, "welcome").loginStatus()).isEqualTo(403);

    String logged = output.getAll().substring(before);
    assertThat(logged).doesNotContain("\tat ");
    assertThat(logged.lines().filter(line -> line.contains("sessionnobody"))).hasSize(1);
  }

  @Test
  void aSessionWhoseUserLosesItsApplicationsIsLoggedOut() {
    user("sessionlosing", null);
    var authorizations = engine.getAuthorizationService();
    Authorization cockpit = TestUsers.grantCockpit(engine, "sessionlosing");
    CockpitSession session = CockpitSession.logIn(base(), "sessionlosing", PASSWORD, "cockpit");
    assertThat(session.send("GET", WHO, null).status()).isEqualTo(200);

    authorizations.deleteAuthorization(cockpit.getId());
    // Camunda recomputes a session's applications once its cache time (5 minutes) has passed
    ClockUtil.offset(TimeUnit.MINUTES.toMillis(10));
    try {
      session.send("GET", WHO, null);
      assertThat(session.send("GET", WHO, null).status()).isEqualTo(404);
      assertThat(session.send("GET", VIEWER, null).status()).isIn(401, 403);
    } finally {
      ClockUtil.reset();
    }
  }
}

package org.imagefoundry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.imagefoundry.host.Binfmt;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ProcessTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * A request for an architecture this host cannot run is a 400 naming {@code architecture} and saying what
 * to install, before anything runs: on this service's host, arm64 has a binfmt_misc handler with the F
 * flag and riscv64 none (whatever the machine the tests run on has registered).
 */
@ProcessTest
class ArchitectureRequestsTest {

  @LocalServerPort int port;
  @Autowired RuntimeService runtime;
  @Autowired HistoryService history;
  @MockitoBean Binfmt binfmt;
  Api admin;

  @BeforeEach
  void setUp() {
    admin = new Api("http://localhost:" + port, "admin", ProcessTest.ADMIN_PASSWORD);
    when(binfmt.runs("aarch64")).thenReturn(true);
    when(binfmt.handler("riscv64")).thenReturn(Path.of("/proc/sys/fs/binfmt_misc/qemu-riscv64"));
  }

  static String request(String architecture) {
    ObjectNode request = HostileRequestsTest.valid();
    request.put("architecture", architecture);
    return request.toString();
  }

  @Test
  void anArchitectureWithoutAHandlerIsA400NamingItAndNothingStarts() {
    long started = history.createHistoricProcessInstanceQuery().count();

    Api.Response response = admin.post("/api/builds", request("riscv64"));

    assertThat(response.status()).as(response.body()).isEqualTo(400);
    assertThat(response.json().get("problems").findValuesAsText("field")).containsExactly("architecture");
    assertThat(response.json().get("problems").findValuesAsText("message")).singleElement().asString()
        .contains("cannot run riscv64", "/proc/sys/fs/binfmt_misc/qemu-riscv64", "qemu-user-static", "binfmt-support");
    assertThat(history.createHistoricProcessInstanceQuery().count()).isEqualTo(started);
  }

  @Test
  void anArm64BuildWithAHandlerStartsAndShowsItsArchitecture() {
    Api.Response response = admin.post("/api/builds", request("arm64"));

    assertThat(response.status()).as(response.body()).isEqualTo(201);
    String id = response.json().get("id").asText();
    assertThat(admin.build(id).get("architecture").asText()).isEqualTo("arm64");
    admin.post("/api/builds/" + id + "/cancel", "");
  }
}

package org.imagefoundry.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.util.UriUtils;

/** Which paths have one reading; the authorization matrix tries them all against the running service. */
class UnambiguousPathsTest {

  final UnambiguousPaths firewall = new UnambiguousPaths();

  @ParameterizedTest
  @ValueSource(strings = {"/api/build%73", "/api/build%6a", "/%61pi/builds", "/api/builds/%2D", "/api/%7E", "/api/%5f",
      "/api/builds;x=y", "/api;x=y/builds", "/api//builds", "/api/./builds", "/api/x/../builds", "/api/%2e/builds",
      "/api%2Fbuilds", "/api%2fbuilds", "/api/builds%3Bx", "/api/%25", "/api/%", "/api/%4", "/api/%zz"})
  void refused(String path) {
    assertThatThrownBy(() -> firewall.getFirewalledRequest(request(path))).isInstanceOf(RequestRejectedException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/builds", "/api/builds/4f1c2a9e-0b6d-4c3e-9a57-2d8e1f0c3b4a/log",
      "/engine-rest/process-definition/buildImage:1:abc/start", "/engine-rest/variable/a%20b", "/camunda/app/cockpit/default/"})
  void passed(String path) {
    assertThat(firewall.getFirewalledRequest(request(path))).isNotNull();
  }

  static MockHttpServletRequest request(String path) {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
    try {
      request.setServletPath(UriUtils.decode(path, StandardCharsets.UTF_8)); // as the container decodes it
    } catch (IllegalArgumentException undecodable) {
      request.setServletPath(path);
    }
    return request;
  }
}

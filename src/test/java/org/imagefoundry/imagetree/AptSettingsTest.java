package org.imagefoundry.imagetree;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AptSettingsTest {

  @Test
  void aptFollowsNoRedirectOffTheCheckedHosts() {
    assertThat(AptSettings.buildSettings(null))
        .contains("Acquire::http::AllowRedirect \"false\";\n", "Acquire::https::AllowRedirect \"false\";\n");
  }
}

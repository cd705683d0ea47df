package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The build id names the log file: only ids the service makes get one. */
class BuildLogFilterTest {

  static FilterReply decide(String buildId) {
    var event = new LoggingEvent("test", new LoggerContext().getLogger("org.imagefoundry.build"), Level.INFO, "line", null,
        null);
    event.setMDCPropertyMap(buildId == null ? Map.of() : Map.of(BuildLog.BUILD_ID, buildId));
    return new BuildLogFilter().decide(event);
  }

  @ParameterizedTest
  @ValueSource(strings = {"../../../../etc/passwd", "../x", "build-1", "unknown", "", "4F1C2A9E-0B6D-4C3E-9A57-2D8E1F0C3B4A",
      "00000000-0000-0000-0000-000000000000", "4f1c2a9e-0b6d-4c3e-9a57-2d8e1f0c3b4a/../../x"})
  void aNameThatIsNotABuildIdNamesNoFile(String buildId) {
    assertThat(decide(buildId)).isEqualTo(FilterReply.DENY);
  }

  @ParameterizedTest
  @ValueSource(strings = {"4f1c2a9e-0b6d-4c3e-9a57-2d8e1f0c3b4a"})
  void aBuildIdDoes(String buildId) {
    assertThat(decide(buildId)).isEqualTo(FilterReply.NEUTRAL);
    assertThat(decide(BuildIds.newId())).isEqualTo(FilterReply.NEUTRAL);
  }
}

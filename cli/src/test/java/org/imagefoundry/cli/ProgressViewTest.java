package org.imagefoundry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The live line (terminal) and the phase lines (pipe). */
class ProgressViewTest {

  final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  static BuildStatus at(String state, String phase, double progress) {
    return new BuildStatus("b1", state, phase, progress, null, null, null, null, List.of());
  }

  String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theLiveLineIsRedrawnWithACarriageReturnAndCoversALongerLineBeforeIt() {
    LiveLine line = new LiveLine(out);

    line.update(at("RUNNING", "installPackages", 0.5), Duration.ofSeconds(61));
    line.update(at("RUNNING", "unmount", 0.75), Duration.ofSeconds(75));
    line.finish();

    String first = "[############------------]  50%  installPackages  1:01";
    String second = "[##################------]  75%  unmount  1:15";
    assertThat(printed()).isEqualTo("\r" + first + "\r" + second + " ".repeat(first.length() - second.length()) + "\n");
  }

  @Test
  void theLiveLineNamesAStateOtherThanRunning() {
    assertThat(LiveLine.render(at("QUEUED", "waitForBuildSlot", 0), Duration.ofHours(1).plusSeconds(5)))
        .isEqualTo("[------------------------]   0%  QUEUED waitForBuildSlot  1:00:05");
  }

  @Test
  void phaseLinesPrintOneLineWhenThePhaseOrTheStateChanges() {
    PhaseLines lines = new PhaseLines(out);

    lines.update(at("RUNNING", "debootstrap", 0.2), Duration.ofSeconds(3));
    lines.update(at("RUNNING", "debootstrap", 0.2), Duration.ofSeconds(4));
    lines.update(at("INCIDENT", "debootstrap", 0.2), Duration.ofSeconds(50));
    lines.update(at("RUNNING", "configureApt", 0.25), Duration.ofSeconds(70));
    lines.finish();

    assertThat(printed().lines().toList()).containsExactly("0:03   20%  RUNNING  debootstrap",
        "0:50   20%  INCIDENT  debootstrap", "1:10   25%  RUNNING  configureApt");
  }
}

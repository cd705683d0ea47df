package org.imagefoundry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminalTextTest {

  @Test
  void masksEscapeSequencesAndOtherControlCharactersButKeepsTabsAndUnicode() {
    assertThat(TerminalText.printable("E: \u001b]0;owned\u0007 \u001b[2J\r\u009b tab\there ✕ ü"))
        .isEqualTo("E: ?]0;owned? ?[2J?? tab\there ✕ ü");
    assertThat(TerminalText.printable(null)).isNull();
  }
}

package org.imagefoundry.cli;

/**
 * Text from a build (its error, its log's last lines, a phase) made safe to print on a terminal: a
 * package's script writes what it likes into the build's output, and an escape sequence in it must not
 * reach the admin's terminal. Control characters but tab become '?'.
 */
public final class TerminalText {

  private TerminalText() {}

  public static String printable(String text) {
    if (text == null) {
      return null;
    }
    StringBuilder safe = new StringBuilder(text.length());
    text.codePoints().forEach(c -> {
      boolean control = (c < 0x20 && c != '\t') || (c >= 0x7f && c < 0xa0);
      safe.appendCodePoint(control ? '?' : c);
    });
    return safe.toString();
  }
}

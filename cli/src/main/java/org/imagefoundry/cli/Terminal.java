package org.imagefoundry.cli;

import java.io.Console;

/** The user's terminal, when the command runs on one: the only place a password may be typed. */
public interface Terminal {

  String readLine(String prompt);

  char[] readPassword(String prompt);

  /** The JVM's console: present only when standard input and output are both a terminal. */
  static Terminal ofConsole(Console console) {
    return new Terminal() {
      @Override
      public String readLine(String prompt) {
        return console.readLine("%s", prompt);
      }

      @Override
      public char[] readPassword(String prompt) {
        return console.readPassword("%s", prompt);
      }
    };
  }
}

package org.imagefoundry.cli;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A terminal whose user types what the test queued; it records the prompts it showed. */
class ScriptedTerminal implements Terminal {

  final Deque<String> typed = new ArrayDeque<>();
  final List<String> prompts = new ArrayList<>();

  ScriptedTerminal typing(String... lines) {
    typed.addAll(List.of(lines));
    return this;
  }

  @Override
  public String readLine(String prompt) {
    prompts.add(prompt);
    return typed.poll();
  }

  @Override
  public char[] readPassword(String prompt) {
    prompts.add(prompt);
    String line = typed.poll();
    return line == null ? null : line.toCharArray();
  }
}

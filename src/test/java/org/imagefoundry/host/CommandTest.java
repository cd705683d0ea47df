package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandTest {

  @Test
  void theSummaryOfASandboxedCommandShowsTheSandboxsOptionsAsOneEllipsis() {
    List<String> args = new ArrayList<>(List.of("nsenter", "--user=/proc/7/ns/user", "--", "bwrap"));
    for (int i = 0; i < 40; i++) {
      args.addAll(List.of("--ro-bind-try", "/usr/lib/some/long/path/" + i, "/usr/lib/some/long/path/" + i));
    }
    args.addAll(List.of("--", "mmdebstrap", "--mode=root", "bookworm", "/build/root", "http://127.0.0.1:9/debian"));
    Command command = Command.of(Duration.ofMinutes(1), args);

    assertThat(command.summary()).isEqualTo(
        "nsenter --user=/proc/7/ns/user -- bwrap … -- mmdebstrap --mode=root bookworm /build/root http://127.0.0.1:9/debian");
    assertThat(command.display()).startsWith("nsenter --user=/proc/7/ns/user -- bwrap --ro-bind-try ").hasSizeGreaterThan(2000);
  }

  @Test
  void aCommandWithoutFsyncPreloadsLibeatmydataAndKeepsTheRest() {
    Command command = Command.of(Duration.ofMinutes(1), "debugfs", "-R", "stat /etc/shadow", "/x.img").okExitCodes(0, 1)
        .withEnv(java.util.Map.of("LANG", "C"));

    Command unsynced = command.withoutFsync();

    assertThat(unsynced.env()).containsEntry("LD_PRELOAD", "libeatmydata.so").containsEntry("LANG", "C");
    assertThat(unsynced.args()).isEqualTo(command.args());
    assertThat(unsynced.timeout()).isEqualTo(command.timeout());
    assertThat(unsynced.okExitCodes()).isEqualTo(command.okExitCodes());
  }

  @Test
  void theSummaryOfAPlainCommandIsTheCommand() {
    assertThat(Command.of(Duration.ofMinutes(1), "losetup", "--find", "--show", "/x").summary())
        .isEqualTo("losetup --find --show /x");
    assertThat(Command.of(Duration.ofMinutes(1), "bwrap", "--version").summary()).isEqualTo("bwrap --version");
  }

  @Test
  void aFailedSandboxedCommandsMessageNamesWhatRanInside() {
    List<String> args = new ArrayList<>(List.of("bwrap"));
    for (int i = 0; i < 40; i++) {
      args.addAll(List.of("--bind", "/a/" + i, "/a/" + i));
    }
    args.addAll(List.of("--", "apt-get", "update"));

    var failure = CommandFailedException.exited(Command.of(Duration.ofMinutes(1), args), new CommandResult(100,
        List.of("E: Failed to fetch")));

    assertThat(failure.getMessage()).isEqualTo("`bwrap … -- apt-get update` exited with code 100; last output:\nE: Failed to fetch");
  }
}

package org.imagefoundry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the credentials come from, in order: --credentials, the environment, the default file, the terminal. */
class CredentialsTest {

  @TempDir Path home;

  Invocation invocation(Map<String, String> environment, Terminal terminal) {
    PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
    return new Invocation(environment, terminal, nowhere, nowhere, home, Duration.ofMillis(1));
  }

  Path defaultFile(String text) throws Exception {
    Path file = home.resolve(".config/image-foundry/credentials");
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  @Test
  void anExplicitFileComesFirst() throws Exception {
    Path file = home.resolve("ci-credentials");
    Files.writeString(file, "user=ci\npassword=from-file\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    Credentials credentials = Credentials.resolve(invocation(Map.of("IMAGE_FOUNDRY_PASSWORD", "from-env"), null), file);

    assertThat(credentials).isEqualTo(new Credentials("ci", "from-file"));
  }

  @Test
  void thenTheEnvironmentWithAdminAsTheDefaultUser() throws Exception {
    defaultFile("user=ci\npassword=from-file\n");

    assertThat(Credentials.resolve(invocation(Map.of("IMAGE_FOUNDRY_PASSWORD", "from-env"), null), null))
        .isEqualTo(new Credentials("admin", "from-env"));
    assertThat(Credentials.resolve(invocation(Map.of("IMAGE_FOUNDRY_USER", "ops", "IMAGE_FOUNDRY_PASSWORD", "pw"), null),
        null)).isEqualTo(new Credentials("ops", "pw"));
  }

  @Test
  void thenTheDefaultFileOrTheOneUnderXdgConfigHome() throws Exception {
    defaultFile("user=ci\npassword=from-file\n");
    assertThat(Credentials.resolve(invocation(Map.of(), new ScriptedTerminal()), null))
        .isEqualTo(new Credentials("ci", "from-file"));

    Path xdg = home.resolve("xdg");
    Files.createDirectories(xdg.resolve("image-foundry"));
    Files.writeString(xdg.resolve("image-foundry/credentials"), "password=xdg\n");
    Files.setPosixFilePermissions(xdg.resolve("image-foundry/credentials"), PosixFilePermissions.fromString("rw-------"));
    assertThat(Credentials.resolve(invocation(Map.of("XDG_CONFIG_HOME", xdg.toString()), null), null).password())
        .isEqualTo("xdg");
  }

  @Test
  void aDefaultFileOthersMayReadIsRefusedNotSkipped() throws Exception {
    Path file = defaultFile("password=x\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(() -> Credentials.resolve(invocation(Map.of(), new ScriptedTerminal()), null))
        .isInstanceOfSatisfying(Failure.class, f -> assertThat(f.exitCode()).isEqualTo(ExitCodes.USAGE))
        .hasMessageContaining("chmod 600");
  }

  @Test
  void lastATerminalPromptsForUserAndPassword() {
    ScriptedTerminal terminal = new ScriptedTerminal().typing("", "typed-pw");

    Credentials credentials = Credentials.resolve(invocation(Map.of(), terminal), null);

    assertThat(credentials).isEqualTo(new Credentials("admin", "typed-pw"));
    assertThat(terminal.prompts).containsExactly("user [admin]: ", "password for admin: ");
  }

  @Test
  void withAUserInTheEnvironmentOnlyThePasswordIsAskedFor() {
    ScriptedTerminal terminal = new ScriptedTerminal().typing("typed-pw");

    Credentials credentials = Credentials.resolve(invocation(Map.of("IMAGE_FOUNDRY_USER", "ops"), terminal), null);

    assertThat(credentials).isEqualTo(new Credentials("ops", "typed-pw"));
    assertThat(terminal.prompts).containsExactly("password for ops: ");
  }

  @Test
  void withNoneOfThemAndNoTerminalItIsAUsageErrorSayingHowToGiveThem() {
    assertThatThrownBy(() -> Credentials.resolve(invocation(Map.of(), null), null))
        .isInstanceOfSatisfying(Failure.class, f -> assertThat(f.exitCode()).isEqualTo(ExitCodes.USAGE))
        .hasMessageContaining("IMAGE_FOUNDRY_PASSWORD").hasMessageContaining("mode 600");
  }
}

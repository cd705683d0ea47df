package org.imagefoundry.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The user and password of the service's HTTP Basic login. Never from the command line, where {@code ps}
 * shows them: from {@code --credentials FILE}, else from {@code IMAGE_FOUNDRY_PASSWORD} (and
 * {@code IMAGE_FOUNDRY_USER}), else from the default credentials file, else typed on the terminal.
 */
public record Credentials(String user, String password) {

  public static final String USER_VARIABLE = "IMAGE_FOUNDRY_USER";
  public static final String PASSWORD_VARIABLE = "IMAGE_FOUNDRY_PASSWORD";
  public static final String DEFAULT_USER = "admin";

  /** The {@code Authorization} header's value. */
  public String basicAuthorization() {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "Credentials[user=" + user + "]";
  }

  /** {@code $XDG_CONFIG_HOME/image-foundry/credentials}, or {@code ~/.config/image-foundry/credentials}. */
  public static Path defaultFile(Invocation invocation) {
    String config = invocation.variable("XDG_CONFIG_HOME");
    Path base = config != null ? Path.of(config) : invocation.home().resolve(".config");
    return base.resolve("image-foundry").resolve("credentials");
  }

  /** Finds the credentials, in the order the class comment gives, or fails with a usage error saying how to give them. */
  public static Credentials resolve(Invocation invocation, Path explicitFile) {
    if (explicitFile != null) {
      return CredentialsFile.read(explicitFile);
    }
    String user = invocation.variable(USER_VARIABLE);
    String password = invocation.variable(PASSWORD_VARIABLE);
    if (password != null) {
      return new Credentials(user == null ? DEFAULT_USER : user, password);
    }
    Path file = defaultFile(invocation);
    if (Files.exists(file)) {
      return CredentialsFile.read(file);
    }
    if (invocation.onTerminal()) {
      if (user == null) {
        String typed = invocation.terminal().readLine("user [" + DEFAULT_USER + "]: ");
        user = typed == null || typed.isBlank() ? DEFAULT_USER : typed.strip();
      }
      char[] typed = invocation.terminal().readPassword("password for " + user + ": ");
      if (typed == null || typed.length == 0) {
        throw new Failure(ExitCodes.USAGE, "no password given");
      }
      return new Credentials(user, new String(typed));
    }
    throw new Failure(ExitCodes.USAGE, "no credentials: set " + USER_VARIABLE + " and " + PASSWORD_VARIABLE
        + ", or write user=… and password=… into " + file + " (mode 600), or give --credentials FILE");
  }
}

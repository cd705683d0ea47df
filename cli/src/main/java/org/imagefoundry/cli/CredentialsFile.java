package org.imagefoundry.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A credentials file: {@code user=NAME} and {@code password=SECRET} lines ({@code #} starts a comment). It
 * holds a password, so it must be readable by its owner alone: a file with any permission for its group
 * or for others is refused before it is read.
 */
public final class CredentialsFile {

  static final Set<PosixFilePermission> FOR_OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private CredentialsFile() {}

  public static Credentials read(Path file) {
    List<String> lines;
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.stream().anyMatch(FOR_OTHERS::contains)) {
        throw new Failure(ExitCodes.USAGE, "refusing the credentials file " + file + ": its mode ("
            + PosixFilePermissions.toString(permissions) + ") lets others read or change it; chmod 600 " + file);
      }
      lines = Files.readAllLines(file);
    } catch (NoSuchFileException e) {
      throw new Failure(ExitCodes.USAGE, "no credentials file " + file);
    } catch (IOException e) {
      throw new Failure(ExitCodes.USAGE, "cannot read the credentials file " + file + ": " + e.getMessage());
    }
    String user = null;
    String password = null;
    for (String line : lines) {
      if (line.isBlank() || line.stripLeading().startsWith("#")) {
        continue;
      }
      int equals = line.indexOf('=');
      if (equals < 0) {
        throw new Failure(ExitCodes.USAGE, "the credentials file " + file + " has a line without '=' (user=… or password=…)");
      }
      String key = line.substring(0, equals).strip();
      // the value verbatim up to the end of the line: java.util.Properties would eat a password's backslashes
      String value = line.substring(equals + 1);
      switch (key) {
        case "user" -> user = value.strip();
        case "password" -> password = value;
        default -> throw new Failure(ExitCodes.USAGE, "the credentials file " + file + " has an unknown key '" + key
            + "' (only user and password)");
      }
    }
    if (password == null || password.isEmpty()) {
      throw new Failure(ExitCodes.USAGE, "the credentials file " + file + " has no password=… line");
    }
    return new Credentials(user == null || user.isEmpty() ? Credentials.DEFAULT_USER : user, password);
  }
}

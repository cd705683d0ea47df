package org.imagefoundry.host;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A build's id is a random UUID the service makes: it names the build's workspace and log file, so
 * nothing else (a business key someone chose, a variable edited later) may ever stand in for one.
 */
public final class BuildIds {

  /** What {@link UUID#randomUUID()} prints: version 4, IETF variant, lower case. */
  private static final Pattern BUILD_ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

  private BuildIds() {}

  public static String newId() {
    return UUID.randomUUID().toString();
  }

  public static boolean isBuildId(String id) {
    return id != null && BUILD_ID.matcher(id).matches();
  }
}

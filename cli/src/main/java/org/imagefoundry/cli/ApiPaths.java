package org.imagefoundry.cli;

import java.util.regex.Pattern;

/**
 * The API's paths, with the build ids and node names in them checked first: an argument becomes one
 * plain path segment or the command stops with a usage error, before anything is sent.
 */
public final class ApiPaths {

  private static final Pattern BUILD_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");
  private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");

  private ApiPaths() {}

  public static String build(String id) {
    if (id == null || !BUILD_ID.matcher(id).matches()) {
      throw new Failure(ExitCodes.USAGE, "not a build id: " + id);
    }
    return "/api/builds/" + id;
  }

  public static String node(String name) {
    if (name == null || !NODE_NAME.matcher(name).matches()) {
      throw new Failure(ExitCodes.USAGE, "not a node name: " + name);
    }
    return "/api/nodes/" + name;
  }
}

package org.imagefoundry.cli;

import java.net.URI;
import java.net.URISyntaxException;

/** The service's base URL, from {@code --url} or {@code IMAGE_FOUNDRY_URL}: http or https, and no credentials in it. */
public final class ServiceUrl {

  public static final String VARIABLE = "IMAGE_FOUNDRY_URL";
  public static final String DEFAULT = "http://localhost:8080";

  private ServiceUrl() {}

  /** The base URI (no trailing slash), or a usage failure saying what is wrong with the text. */
  public static URI parse(String text) {
    URI uri;
    try {
      uri = new URI(text.strip());
    } catch (URISyntaxException e) {
      throw new Failure(ExitCodes.USAGE, "not a URL: " + text + " (" + e.getReason() + ")");
    }
    if (uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
        || uri.getHost() == null) {
      throw new Failure(ExitCodes.USAGE, "the service URL must be http://host[:port] or https://host[:port]: " + text);
    }
    // ps would show it: the password comes from the environment, the credentials file or the terminal
    if (uri.getRawUserInfo() != null) {
      throw new Failure(ExitCodes.USAGE, "put no user or password into the service URL (ps shows the command line); "
          + "use IMAGE_FOUNDRY_USER and IMAGE_FOUNDRY_PASSWORD or a credentials file");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new Failure(ExitCodes.USAGE, "the service URL takes no query or fragment: " + text);
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
    return URI.create(uri.getScheme().toLowerCase() + "://" + uri.getRawAuthority() + path);
  }
}

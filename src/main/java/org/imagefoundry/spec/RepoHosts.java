package org.imagefoundry.spec;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/**
 * The hosts any builder's repos may point at: {@code image-foundry.allowed-repo-hosts}, or else the
 * default mirror's host. Other hosts are for admins only, so a request cannot make the service (or apt)
 * fetch from an address of its choosing.
 */
@Component
public class RepoHosts {

  private final FoundrySettings settings;
  private final DefaultMirror defaultMirror;

  public RepoHosts(FoundrySettings settings, DefaultMirror defaultMirror) {
    this.settings = settings;
    this.defaultMirror = defaultMirror;
  }

  /** The listed hosts, lower case; read when asked, as the default mirror is. */
  public Set<String> allowed() {
    if (settings.allowedRepoHosts() != null && !settings.allowedRepoHosts().isEmpty()) {
      return settings.allowedRepoHosts().stream().map(RepoHosts::normalize).collect(Collectors.toSet());
    }
    try {
      String host = host(URI.create(defaultMirror.uri()));
      return host == null ? Set.of() : Set.of(host);
    } catch (IllegalStateException | IllegalArgumentException e) {
      return Set.of(); // no default mirror: only admins choose hosts
    }
  }

  public boolean allows(URI uri) {
    String host = host(uri);
    return host != null && allowed().contains(host);
  }

  /** The URI's host, lower case, without the brackets of an IPv6 address; null when it has none. */
  public static String host(URI uri) {
    return uri.getHost() == null ? null : normalize(uri.getHost());
  }

  private static String normalize(String host) {
    String lower = host.trim().toLowerCase(Locale.ROOT);
    return lower.startsWith("[") && lower.endsWith("]") ? lower.substring(1, lower.length() - 1) : lower;
  }
}

package org.imagefoundry.imagetree;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.imagefoundry.spec.BuildSpec.Proxies;

/**
 * Files of an apt repository (Release, InRelease), fetched through the request's proxy unless its host is
 * reached directly. One client per proxy (the direct way included) serves every fetch, so its connections
 * are kept and reused; a client of its own per fetch cost its threads and a new connection each time, and
 * the node's first fetch loaded Java's TLS trust store (0.4-0.7 s here) inside a build's step: {@link #warmUp}
 * does that when the service starts.
 */
public final class RepositoryFiles {

  /** Debian's InRelease is about 150 KB; a response larger than this is not read whole. */
  static final int MAX_SIZE = 16 << 20;

  /** Proxies come from requests: beyond this many, a fetch through another proxy gets a client of its own. */
  static final int MAX_CLIENTS = 16;

  private static final Map<Optional<URI>, HttpClient> CLIENTS = new ConcurrentHashMap<>();

  private RepositoryFiles() {}

  /** {@code <uri>/dists/<suite>/<name>}. */
  public static byte[] fetch(String repoUri, String suite, String name, Proxies proxies) {
    URI uri = URI.create(repoUri.replaceAll("/+$", "") + "/dists/" + suite + "/" + name);
    try {
      if ("file".equals(uri.getScheme())) {
        return Files.readAllBytes(Path.of(uri));
      }
      HttpResponse<InputStream> response = reused(uri, proxies).send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          throw new IllegalStateException("GET " + uri + " answered " + response.statusCode()
              + (response.statusCode() / 100 == 3 ? " (redirects are not followed: use the repo's final URI)" : ""));
        }
        byte[] content = body.readNBytes(MAX_SIZE + 1);
        if (content.length > MAX_SIZE) {
          throw new IllegalStateException("GET " + uri + " sent more than " + MAX_SIZE + " bytes: not a Release file");
        }
        return content;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not fetch " + uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted fetching " + uri, e);
    }
  }

  /**
   * A client for the repo of {@code uri}: through the request's proxy unless its host is reached directly,
   * following no redirect (the repo's host was checked against image-foundry.allowed-repo-hosts: a
   * redirect could lead anywhere).
   */
  public static HttpClient.Builder client(URI uri, Proxies proxies) {
    HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
        .followRedirects(HttpClient.Redirect.NEVER);
    proxyFor(uri, proxies).ifPresent(proxy -> client.proxy(
        ProxySelector.of(new InetSocketAddress(proxy.getHost(), proxy.getPort() < 0 ? 80 : proxy.getPort()))));
    return client;
  }

  /** The client that fetches {@code uri}'s files: the one kept for its proxy (or for none). */
  static HttpClient reused(URI uri, Proxies proxies) {
    Optional<URI> proxy = proxyFor(uri, proxies);
    HttpClient kept = CLIENTS.get(proxy);
    if (kept != null) {
      return kept;
    }
    if (CLIENTS.size() >= MAX_CLIENTS) {
      return client(uri, proxies).build();
    }
    return CLIENTS.computeIfAbsent(proxy, any -> client(uri, proxies).build());
  }

  /** Makes the client of the direct way, and with it Java's default TLS context: once, at the service's start. */
  public static void warmUp() {
    reused(URI.create("https://localhost/"), null);
  }

  static Optional<URI> proxyFor(URI uri, Proxies proxies) {
    if (proxies == null || proxies.protocols() == null) {
      return Optional.empty();
    }
    List<String> direct = proxies.directRepoAddrList() == null ? List.of() : proxies.directRepoAddrList();
    if (direct.contains(uri.getHost())) {
      return Optional.empty();
    }
    return Optional.ofNullable(proxies.protocols().get(uri.getScheme())).map(URI::create);
  }
}

package org.imagefoundry.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * An HTTP server on 127.0.0.1 that answers each request as {@code answers} says for its URI (as sent: a
 * proxy is asked for absolute URIs) and records what it was asked: a mirror, or a proxy in front of one.
 */
public final class FileServer implements AutoCloseable {

  /** A status, a body (none: null) and a Location header (none: null). */
  public record Answer(int status, byte[] body, String location) {
    public static Answer ok(byte[] body) {
      return new Answer(200, body, null);
    }

    public static Answer notFound() {
      return new Answer(404, null, null);
    }

    public static Answer redirect(String location) {
      return new Answer(302, null, location);
    }
  }

  private final HttpServer server;
  private final List<URI> asked = new CopyOnWriteArrayList<>();
  private final List<InetSocketAddress> callers = new CopyOnWriteArrayList<>();

  private FileServer(Function<URI, Answer> answers) {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // a slow answer keeps no other waiting, nor the JVM from ending
    server.setExecutor(Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "file-server");
      thread.setDaemon(true);
      return thread;
    }));
    server.createContext("/", exchange -> {
      asked.add(exchange.getRequestURI());
      callers.add(exchange.getRemoteAddress());
      Answer answer = answers.apply(exchange.getRequestURI());
      if (answer.location() != null) {
        exchange.getResponseHeaders().add("Location", answer.location());
      }
      exchange.sendResponseHeaders(answer.status(), answer.body() == null ? -1 : answer.body().length);
      if (answer.body() != null) {
        exchange.getResponseBody().write(answer.body());
      }
      exchange.close();
    });
    server.start();
  }

  public static FileServer answering(Function<URI, Answer> answers) {
    return new FileServer(answers);
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String uri() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<URI> asked() {
    return List.copyOf(asked);
  }

  /** Where each request came from: one address for all of them is one connection, kept and reused. */
  public List<InetSocketAddress> callers() {
    return List.copyOf(callers);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

package org.imagefoundry.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The service's API as the tests script it (com.sun.net.httpserver, on a free port): each
 * "METHOD path" answers its queued answers in turn, the last one again and again; anything else is a 404.
 * It records every request it got, with its Authorization header.
 */
class StubService implements AutoCloseable {

  record Answer(int status, String body, Map<String, String> headers) {
    static Answer json(int status, String body) {
      return new Answer(status, body, Map.of("Content-Type", "application/json"));
    }

    static Answer text(String body) {
      return new Answer(200, body, Map.of("Content-Type", "text/plain"));
    }
  }

  record Request(String method, String pathAndQuery, String authorization, String body) {}

  private final HttpServer server;
  final Map<String, Deque<Answer>> answers = new ConcurrentHashMap<>();
  final List<Request> requests = new CopyOnWriteArrayList<>();

  StubService() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Queues answers to "METHOD /path?query". */
  StubService on(String methodAndPath, Answer... queued) {
    answers.computeIfAbsent(methodAndPath, k -> new ArrayDeque<>()).addAll(List.of(queued));
    return this;
  }

  private void handle(HttpExchange exchange) throws IOException {
    String pathAndQuery = exchange.getRequestURI().getRawPath()
        + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    requests.add(new Request(exchange.getRequestMethod(), pathAndQuery,
        exchange.getRequestHeaders().getFirst("Authorization"), body));
    Deque<Answer> queue = answers.get(exchange.getRequestMethod() + " " + pathAndQuery);
    Answer answer = queue == null || queue.isEmpty() ? new Answer(404, "", Map.of())
        : queue.size() > 1 ? queue.poll() : queue.peek();
    answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

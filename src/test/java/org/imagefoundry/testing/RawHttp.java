package org.imagefoundry.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket: the request line carries the path exactly as given, so {@code ..},
 * {@code //}, {@code ;x=y} and percent-encodings reach the server as an attacker would send them (an
 * HTTP client library may normalize them away).
 */
public class RawHttp {

  private final int port;
  private final java.net.InetAddress from;

  public RawHttp(int port) {
    this(port, null);
  }

  /** Requests from {@code from}, a loopback address other than 127.0.0.1 (Linux answers all of 127/8): a client of its own. */
  public RawHttp(int port, java.net.InetAddress from) {
    this.port = port;
    this.from = from;
  }

  public record Response(int status, Map<String, String> headers, String body) {}

  /** Basic credentials for a user, or null for none. */
  public static String basic(String user, String password) {
    return user == null ? null
        : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  public Response send(String method, String path, String authorization, String jsonBody) {
    return send(method, path, authorization, jsonBody, Map.of());
  }

  public Response send(String method, String path, String authorization, String jsonBody, Map<String, String> headers) {
    return send(method, path, authorization, jsonBody, headers, null);
  }

  /** With {@code otherBody} (its Content-Type among {@code headers}) in place of a JSON one. */
  public Response send(String method, String path, String authorization, String jsonBody, Map<String, String> headers,
      String otherBody) {
    String text = jsonBody != null ? jsonBody : otherBody;
    byte[] body = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder()
        .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
        .append("Host: localhost:").append(port).append("\r\n")
        .append("Connection: close\r\n");
    if (authorization != null) {
      head.append("Authorization: ").append(authorization).append("\r\n");
    }
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    if (jsonBody != null) {
      head.append("Content-Type: application/json\r\n");
    }
    if (text != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    try (Socket socket = from == null ? new Socket("localhost", port)
        : new Socket(java.net.InetAddress.getLoopbackAddress(), port, from, 0)) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      return parse(socket.getInputStream().readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A request whose head announces a body of {@code declaredLength} bytes and asks to be told before
   * sending it ({@code Expect: 100-continue}), of which not one byte is sent: the answer can only come
   * from a server that decided without reading the body (one that read it would wait for it, and this
   * call would fail on the socket's time-out). An interim {@code 100 Continue} is skipped.
   */
  public Response sendWithoutBody(String method, String path, String authorization, long declaredLength,
      Map<String, String> headers) {
    StringBuilder head = new StringBuilder()
        .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
        .append("Host: localhost:").append(port).append("\r\n")
        .append("Connection: close\r\nExpect: 100-continue\r\nContent-Type: application/json\r\n")
        .append("Content-Length: ").append(declaredLength).append("\r\n");
    if (authorization != null) {
      head.append("Authorization: ").append(authorization).append("\r\n");
    }
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    head.append("\r\n");
    try (Socket socket = new Socket("localhost", port)) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      while (true) {
        String statusLine = line(in);
        Map<String, String> responseHeaders = new LinkedHashMap<>();
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
          int colon = header.indexOf(':');
          responseHeaders.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        if (status >= 200) {
          byte[] body = "chunked".equalsIgnoreCase(responseHeaders.get("transfer-encoding")) ? unchunk(in)
              : in.readNBytes(Integer.parseInt(responseHeaders.getOrDefault("content-length", "0")));
          return new Response(status, responseHeaders, new String(body, StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("the connection closed in the middle of the answer's head");
      }
      line.append((char) c);
    }
    return line.toString().trim();
  }

  private static Response parse(byte[] raw) throws IOException {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    String[] lines = text.substring(0, end < 0 ? text.length() : end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
    }
    byte[] body = end < 0 ? new byte[0] : java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = unchunk(new java.io.ByteArrayInputStream(body));
    }
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  private static byte[] unchunk(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      StringBuilder size = new StringBuilder();
      for (int c = in.read(); c != '\n' && c >= 0; c = in.read()) {
        size.append((char) c);
      }
      String hex = size.toString().trim();
      int length = hex.isEmpty() ? 0 : Integer.parseInt(hex.split(";")[0], 16);
      if (length == 0) {
        return out.toByteArray();
      }
      out.write(in.readNBytes(length));
      in.read(); // \r
      in.read(); // \n
    }
  }
}

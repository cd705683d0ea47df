package org.imagefoundry.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.variable.value.SerializableValue;
import org.imagefoundry.api.BuildService;
import org.imagefoundry.spec.InvalidRequestException;
import org.imagefoundry.spec.Problem;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Starts through the engine REST API (and Tasklist's start forms) go through the same validation as
 * {@code POST /api/builds}: the {@code request} variable is checked (a 400 listing every problem) and
 * replaced, before the engine sees it, by the prepared request: normalized, password hashed, with
 * its build id as business key. So no path starts a build from an unchecked request, and a plain
 * password never reaches the engine's variables or history.
 */
public class EngineRestStarts extends OncePerRequestFilter {

  static final Pattern START = Pattern.compile(".*/process-definition/.+/(start|submit-form)");
  static final int MAX_BODY = 1 << 20;

  private final BuildService builds;
  private final ObjectMapper json;

  public EngineRestStarts(BuildService builds, ObjectMapper json) {
    this.builds = builds;
    this.json = json;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !"POST".equals(request.getMethod()) || !START.matcher(request.getRequestURI()).matches();
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    byte[] body = request.getInputStream().readNBytes(MAX_BODY + 1);
    try {
      if (body.length > MAX_BODY) {
        throw new InvalidRequestException(List.of(new Problem("", "the body is larger than 1 MB")));
      }
      ObjectNode start = (ObjectNode) json.readTree(body.length == 0 ? "{}".getBytes() : body);
      JsonNode request1 = start.path("variables").path("request").path("value");
      if (request1.isMissingNode() || request1.isNull()) {
        throw new InvalidRequestException(List.of(new Problem("variables.request",
            "required: the build request (the JSON POST /api/builds takes)")));
      }
      BuildService.PreparedBuild build = builds.prepare(request1.isTextual() ? request1.asText() : request1.toString(),
          builds.callerOf(request));
      ObjectNode variables = start.putObject("variables");
      for (Map.Entry<String, Object> variable : build.variables().entrySet()) {
        ObjectNode value = variables.putObject(variable.getKey());
        if (variable.getValue() instanceof SerializableValue typed) {
          value.put("value", typed.getValueSerialized()).put("type", "Json");
        } else {
          value.put("value", String.valueOf(variable.getValue())).put("type", "String");
        }
      }
      start.put("businessKey", build.id());
      chain.doFilter(new Body(request, json.writeValueAsBytes(start)), response);
    } catch (InvalidRequestException e) {
      refuse(response, e.problems());
    } catch (IOException | ClassCastException e) {
      refuse(response, List.of(new Problem("", "the body must be a JSON object")));
    }
  }

  private void refuse(HttpServletResponse response, List<Problem> problems) throws IOException {
    response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    json.writeValue(response.getOutputStream(), Map.of("type", "about:blank", "title", "Invalid build request",
        "status", 400, "problems", problems));
  }

  /** The request with its body replaced. */
  private static final class Body extends HttpServletRequestWrapper {
    private final byte[] content;

    Body(HttpServletRequest request, byte[] content) {
      super(request);
      this.content = content;
    }

    @Override
    public int getContentLength() {
      return content.length;
    }

    @Override
    public long getContentLengthLong() {
      return content.length;
    }

    @Override
    public ServletInputStream getInputStream() {
      var in = new ByteArrayInputStream(content);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException();
        }
      };
    }
  }
}

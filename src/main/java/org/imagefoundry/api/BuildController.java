package org.imagefoundry.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.imagefoundry.builds.BuildQueries;
import org.imagefoundry.builds.BuildService;
import org.imagefoundry.builds.BuildState;
import org.imagefoundry.builds.BuildView;
import org.imagefoundry.builds.Page;
import org.imagefoundry.metadata.BuildMetadata;
import org.imagefoundry.metadata.MetadataFiles;
import org.imagefoundry.metadata.PackageMetadata;
import org.imagefoundry.security.Callers;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/** The API upstream systems and operators use: start a build, poll it, read its log, cancel or retry it. */
@RestController
@RequestMapping("/api/builds")
public class BuildController {

  static final int MAX_REQUEST = 1 << 20;
  static final String EXAMPLE = """
      {"image_data": {"/": {"uri": "http://host/targetimages/bookworm-minbase.img.gz", "format": "ext4",
                            "container": "gzip"}},
       "output": "/var/lib/image-foundry/images", "codename": "bookworm", "variant": "minbase",
       "repos": [{"name": "debian", "suite": "bookworm", "section": "main", "priority": null, "type": "deb"}],
       "packages": ["less"]}""";

  private final BuildService builds;
  private final BuildQueries queries;
  private final Callers callers;
  private final LogFollowers followers;

  public BuildController(BuildService builds, BuildQueries queries, Callers callers, LogFollowers followers) {
    this.builds = builds;
    this.queries = queries;
    this.callers = callers;
    this.followers = followers;
  }

  @Operation(summary = "Start a build", description = "fuel-agent's fa_build_image request plus our extensions. "
      + "201 with Location /api/builds/{id}; an invalid request is a 400 listing every bad field, and nothing starts.")
  @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
      // the request's JSON Schema, served beside the API: the document refers to it rather than copy it
      mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(ref = RequestSchemaController.PATH),
      examples = @ExampleObject(name = "bookworm-minbase", value = EXAMPLE)))
  @ApiResponse(responseCode = "201", description = "started")
  @ApiResponse(responseCode = "400", description = "invalid request: every problem with its field",
      content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
  @ApiResponse(responseCode = "413", description = "the body is larger than 1 MiB; it was not read")
  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  public ResponseEntity<?> start(HttpServletRequest http) throws IOException {
    // the declared length first, then a bounded read (chunked bodies declare none): never the whole body
    if (http.getContentLengthLong() > MAX_REQUEST) {
      return tooLarge();
    }
    byte[] body = http.getInputStream().readNBytes(MAX_REQUEST + 1);
    if (body.length > MAX_REQUEST) {
      return tooLarge();
    }
    String id = builds.start(new String(body, StandardCharsets.UTF_8), callers.of(http));
    return ResponseEntity.created(URI.create("/api/builds/" + id)).body(Map.of("id", id));
  }

  private static ResponseEntity<ProblemDetail> tooLarge() {
    ProblemDetail detail = ProblemDetail.forStatusAndDetail(HttpStatus.PAYLOAD_TOO_LARGE,
        "a build request is at most " + MAX_REQUEST + " bytes; nothing was started");
    detail.setTitle("Request too large");
    // the rest of the body is not read: the connection closes
    return ResponseEntity.status(HttpStatus.PAYLOAD_TOO_LARGE).header(HttpHeaders.CONNECTION, "close").body(detail);
  }

  @GetMapping("/{id}")
  public ResponseEntity<BuildView> get(@PathVariable String id) {
    return ResponseEntity.of(queries.find(id));
  }

  @Operation(summary = "Every package installed in the build's image (name, version, architecture, source, repo)",
      description = "from the published metadata; 404 until it is written")
  @GetMapping("/{id}/packages")
  public ResponseEntity<List<PackageMetadata>> packages(@PathVariable String id) {
    return ResponseEntity.of(metadata(id).map(BuildMetadata::installedPackages));
  }

  @Operation(summary = "The build's SPDX 2.3 document (JSON)", description = "404 until it is written")
  @GetMapping(value = "/{id}/sbom", produces = MediaType.APPLICATION_JSON_VALUE)
  public ResponseEntity<byte[]> sbom(@PathVariable String id) throws IOException {
    var built = metadata(id);
    if (built.isEmpty() || built.get().sbom() == null) {
      return ResponseEntity.notFound().build();
    }
    Path file = Path.of(queries.find(id).orElseThrow().metadataPath())
        .resolveSibling(built.get().sbom());
    return Files.isRegularFile(file) ? ResponseEntity.ok(Files.readAllBytes(file))
        : ResponseEntity.notFound().build();
  }

  /** The metadata a build published, if it has (and it still records that build). */
  private Optional<BuildMetadata> metadata(String id) {
    return queries.find(id).map(BuildView::metadataPath).filter(Objects::nonNull)
        .flatMap(path -> MetadataFiles.read(Path.of(path)))
        .filter(m -> id.equals(m.buildId()));
  }

  @Operation(summary = "List builds, newest first", description = "limit 1 to 1000 (default 100), offset 0 to "
      + "1000000 (default 0); a bad value is a 400 naming it")
  @GetMapping
  public List<BuildView> list(@RequestParam(required = false) BuildState state,
      @RequestParam(required = false) String limit, @RequestParam(required = false) String offset) {
    return queries.list(state, Page.of(limit, offset));
  }

  @PostMapping("/{id}/cancel")
  public ResponseEntity<Map<String, String>> cancel(@PathVariable String id, java.security.Principal user) {
    String by = user == null ? "an operator" : user.getName();
    return answer(id, builds.cancel(id, "cancelled by " + by + " through the API"), "cancelling",
        "the build has ended or is already cancelling");
  }

  @PostMapping("/{id}/retry")
  public ResponseEntity<Map<String, String>> retry(@PathVariable String id) {
    return answer(id, builds.retry(id), "retrying the failed step", "the build has no failed step to retry");
  }

  private static ResponseEntity<Map<String, String>> answer(String id, BuildService.Outcome outcome, String done,
      String nothing) {
    return switch (outcome) {
      case DONE -> ResponseEntity.accepted().body(Map.of("id", id, "status", done));
      case NOT_FOUND -> ResponseEntity.notFound().build();
      case NOTHING_TO_DO -> ResponseEntity.status(409).body(Map.of("id", id, "status", nothing));
      case NO_FREE_SLOT -> ResponseEntity.status(409).header(HttpHeaders.RETRY_AFTER, "30").body(Map.of("id", id,
          "status", "no free build slot on its node: the build stays in incident; retry later"));
    };
  }

  /** The build's log: each phase, command, its output and exit code. */
  @GetMapping(value = "/{id}/log", produces = MediaType.TEXT_PLAIN_VALUE)
  public ResponseEntity<StreamingResponseBody> log(@PathVariable String id) {
    return queries.logFile(id)
        .map(file -> ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body(
            (StreamingResponseBody) out -> {
              if (Files.exists(file)) {
                Files.copy(file, out);
              }
            }))
        .orElse(ResponseEntity.notFound().build());
  }

  /**
   * The build's log as it grows, until the build ends (then every line is out). At most
   * {@code image-foundry.limits.max-log-followers} at once, shared between users ({@link LogFollowers}): beyond, 429.
   */
  @GetMapping(value = "/{id}/log", params = "follow=true", produces = MediaType.TEXT_PLAIN_VALUE)
  public void follow(@PathVariable String id, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    var file = queries.logFile(id);
    if (file.isEmpty()) {
      refuse(response, HttpStatus.NOT_FOUND, "no such build");
    } else if (!followers.follow(id, file.get(), callers.of(request).user(), request, response)) {
      response.setHeader(HttpHeaders.RETRY_AFTER, "10");
      refuse(response, HttpStatus.TOO_MANY_REQUESTS,
          "too many log followers, or you hold your share of them; try again later");
    }
  }

  /**
   * Answers in the text the client asked for. (sendError's error page is a JSON map, which Spring cannot
   * write as text/plain: two warnings in the log at every refused follower.)
   */
  private static void refuse(HttpServletResponse response, HttpStatus status, String message) throws IOException {
    response.setStatus(status.value());
    response.setContentType("text/plain;charset=UTF-8");
    response.getWriter().println(message);
  }
}

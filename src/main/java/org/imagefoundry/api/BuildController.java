package org.imagefoundry.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.imagefoundry.spec.BuildSpec;
import org.imagefoundry.spec.InvalidRequestException;
import org.imagefoundry.spec.Problem;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
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

  public BuildController(BuildService builds, BuildQueries queries, Callers callers) {
    this.builds = builds;
    this.queries = queries;
    this.callers = callers;
  }

  @Operation(summary = "Start a build", description = "fuel-agent's fa_build_image request plus our extensions. "
      + "201 with Location /api/builds/{id}; an invalid request is a 400 listing every bad field, and nothing starts.")
  @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
      mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = BuildSpec.class),
      examples = @ExampleObject(name = "bookworm-minbase", value = EXAMPLE)))
  @ApiResponse(responseCode = "201", description = "started")
  @ApiResponse(responseCode = "400", description = "invalid request: every problem with its field",
      content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  public ResponseEntity<Map<String, String>> start(@RequestBody String request, HttpServletRequest http) {
    if (request.length() > MAX_REQUEST) {
      throw new InvalidRequestException(List.of(new Problem("", "the request is larger than 1 MB")));
    }
    String id = builds.start(request, callers.of(http));
    return ResponseEntity.created(URI.create("/api/builds/" + id)).body(Map.of("id", id));
  }

  @GetMapping("/{id}")
  public ResponseEntity<BuildView> get(@PathVariable String id) {
    return ResponseEntity.of(queries.find(id));
  }

  @GetMapping
  public List<BuildView> list(@RequestParam(required = false) BuildState state,
      @RequestParam(defaultValue = "100") int limit) {
    return queries.list(state, limit);
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
    };
  }

  /** The build's log: each phase, command, its output and exit code; {@code follow=true} streams until the build ends. */
  @GetMapping(value = "/{id}/log", produces = MediaType.TEXT_PLAIN_VALUE)
  public ResponseEntity<StreamingResponseBody> log(@PathVariable String id,
      @RequestParam(defaultValue = "false") boolean follow) {
    return queries.logFile(id)
        .map(file -> ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body(
            (StreamingResponseBody) out -> LogFollower.copy(file, out, follow ? () -> queries.hasEnded(id) : () -> true)))
        .orElse(ResponseEntity.notFound().build());
  }
}

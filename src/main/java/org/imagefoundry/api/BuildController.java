package org.imagefoundry.api;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The API upstream systems and operators use: start a build, poll it, read its log, cancel or retry it. */
@RestController
@RequestMapping("/api/builds")
public class BuildController {

  private final BuildService builds;

  public BuildController(BuildService builds) {
    this.builds = builds;
  }

  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  public ResponseEntity<Map<String, String>> start(@RequestBody String request) {
    String id = builds.start(request);
    return ResponseEntity.created(URI.create("/api/builds/" + id)).body(Map.of("id", id));
  }

  @GetMapping("/{id}")
  public ResponseEntity<BuildView> get(@PathVariable String id) {
    return ResponseEntity.of(builds.find(id));
  }

  @GetMapping
  public List<BuildView> list(@RequestParam(required = false) BuildState state,
      @RequestParam(defaultValue = "100") int limit) {
    return builds.list(state, limit);
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

  @GetMapping(value = "/{id}/log", produces = MediaType.TEXT_PLAIN_VALUE)
  public ResponseEntity<String> log(@PathVariable String id) {
    if (builds.logFile(id).isEmpty()) {
      return ResponseEntity.notFound().build();
    }
    return ResponseEntity.ok(builds.log(id));
  }
}

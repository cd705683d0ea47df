package org.imagefoundry.api;

import io.swagger.v3.oas.annotations.Operation;
import java.util.List;
import java.util.Map;
import org.imagefoundry.builds.Evacuation;
import org.imagefoundry.builds.NodeQueries;
import org.imagefoundry.builds.NodeView;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The cluster's nodes, and giving one up for good. */
@RestController
@RequestMapping("/api/nodes")
public class NodeController {

  private final NodeQueries nodes;
  private final Evacuation evacuation;

  public NodeController(NodeQueries nodes, Evacuation evacuation) {
    this.nodes = nodes;
    this.evacuation = evacuation;
  }

  @Operation(summary = "The nodes of the cluster", description = "Each node's last heartbeat (alive: within 30 s), "
      + "slots in use and in all, the builds it carries out, free space of its build root, and its cache sizes.")
  @GetMapping
  public List<NodeView> list() {
    return nodes.all();
  }

  @Operation(summary = "Give up a node that is down (admins)", description = "Its builds start again from their "
      + "first step on other nodes; if it ever starts again, it releases what they left on it. 409 while it beats.")
  @PostMapping("/{name}/evacuate")
  public ResponseEntity<?> evacuate(@PathVariable String name) {
    Evacuation.Result result = evacuation.evacuate(name);
    return switch (result.outcome()) {
      case DONE -> ResponseEntity.accepted().body(Map.of("node", name, "builds", result.builds()));
      case UNKNOWN_NODE -> ResponseEntity.status(HttpStatus.NOT_FOUND)
          .body(ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "no node named " + name));
      case NODE_ALIVE -> ResponseEntity.status(HttpStatus.CONFLICT).body(ProblemDetail.forStatusAndDetail(
          HttpStatus.CONFLICT, "node " + name + " is alive (it beat within 30 s): stop it first"));
    };
  }
}

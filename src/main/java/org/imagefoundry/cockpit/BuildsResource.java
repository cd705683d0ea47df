package org.imagefoundry.cockpit;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camunda.bpm.cockpit.plugin.resource.AbstractCockpitPluginResource;
import org.camunda.bpm.webapp.impl.security.auth.Authentications;
import org.camunda.bpm.webapp.impl.security.auth.UserAuthentication;
import org.imagefoundry.api.BuildState;
import org.imagefoundry.api.Page;
import org.imagefoundry.security.AccessRules;
import org.springframework.http.HttpMethod;

/**
 * The plugin's server side. Each call is allowed or refused by the same table as the API call it
 * stands for ({@link AccessRules#allows}), for the user logged in to Cockpit with that user's groups:
 * a builder reads, an admin also cancels.
 */
public class BuildsResource extends AbstractCockpitPluginResource {

  private final CockpitBuilds builds;

  public BuildsResource(String engineName, CockpitBuilds builds) {
    super(engineName);
    this.builds = builds;
  }

  /** Who is looking, and what the plugin should offer them. */
  @GET
  @Path("viewer")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> viewer() {
    UserAuthentication user = user();
    return Map.of("user", user.getName(),
        "mayRead", allows(HttpMethod.GET, "/api/builds", user),
        "mayCancel", allows(HttpMethod.POST, "/api/builds/any/cancel", user));
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Response list(@QueryParam("state") String state, @QueryParam("limit") String limit,
      @QueryParam("offset") String offset) {
    require(HttpMethod.GET, "/api/builds");
    BuildState wanted;
    try {
      wanted = state == null || state.isBlank() ? null : BuildState.valueOf(state);
    } catch (IllegalArgumentException e) {
      return Response.status(400).entity(Map.of("message", "unknown state: " + state)).build();
    }
    Page page = Page.of(limit, offset);
    return Response.ok(asService(() -> builds.list(wanted, page))).build();
  }

  @GET
  @Path("by-process-instance/{processInstanceId}")
  @Produces(MediaType.APPLICATION_JSON)
  public Response byProcessInstance(@PathParam("processInstanceId") String processInstanceId) {
    require(HttpMethod.GET, "/api/builds/any");
    return found(asService(() -> builds.byProcessInstance(processInstanceId)));
  }

  @GET
  @Path("{id}")
  @Produces(MediaType.APPLICATION_JSON)
  public Response get(@PathParam("id") String id) {
    require(HttpMethod.GET, "/api/builds/" + id);
    return found(asService(() -> builds.find(id)));
  }

  /** The log from byte {@code from} on: the Build log tab asks again from {@code next} until {@code ended}. */
  @GET
  @Path("{id}/log")
  @Produces(MediaType.APPLICATION_JSON)
  public Response log(@PathParam("id") String id, @QueryParam("from") long from) {
    require(HttpMethod.GET, "/api/builds/" + id + "/log");
    return found(asService(() -> builds.log(id, from)));
  }

  /** The whole log as text, for the Builds panel's link. */
  @GET
  @Path("{id}/log.txt")
  @Produces(MediaType.TEXT_PLAIN)
  public Response logText(@PathParam("id") String id) {
    require(HttpMethod.GET, "/api/builds/" + id + "/log");
    return file(asService(() -> builds.logFile(id)), MediaType.TEXT_PLAIN + ";charset=utf-8");
  }

  @GET
  @Path("{id}/metadata.yaml")
  public Response metadata(@PathParam("id") String id) {
    require(HttpMethod.GET, "/api/builds/" + id);
    return file(asService(() -> builds.metadata(id)), MediaType.TEXT_PLAIN + ";charset=utf-8");
  }

  @GET
  @Path("{id}/images/{name}")
  public Response image(@PathParam("id") String id, @PathParam("name") String name) {
    require(HttpMethod.GET, "/api/builds/" + id);
    return asService(() -> builds.image(id, name))
        .map(path -> Response.ok(path.toFile(), MediaType.APPLICATION_OCTET_STREAM)
            .header("Content-Disposition", "attachment; filename=\"" + path.getFileName() + "\"").build())
        .orElseGet(() -> Response.status(404).build());
  }

  /** What {@code POST /api/builds/{id}/cancel} does: compensation, then the sweep. */
  @POST
  @Path("{id}/cancel")
  @Produces(MediaType.APPLICATION_JSON)
  public Response cancel(@PathParam("id") String id) {
    require(HttpMethod.POST, "/api/builds/" + id + "/cancel");
    String user = user().getName();
    return switch (asService(() -> builds.cancel(id, user))) {
      case DONE -> Response.accepted(Map.of("id", id, "status", "cancelling")).build();
      case NOT_FOUND -> Response.status(404).build();
      case NOTHING_TO_DO, NO_FREE_SLOT -> Response.status(409)
          .entity(Map.of("id", id, "status", "the build has ended or is already cancelling")).build();
    };
  }

  /**
   * Runs a call as the API runs it. Cockpit's webapp hands the engine the logged-in user, so the engine
   * would filter every query by that user's Camunda authorizations (a builder would see no build); the
   * decision is {@link AccessRules}', taken before the call, as for the API.
   */
  private <T> T asService(java.util.function.Supplier<T> call) {
    var identity = getProcessEngine().getIdentityService();
    var current = identity.getCurrentAuthentication();
    identity.clearAuthentication();
    try {
      return call.get();
    } finally {
      if (current != null) {
        identity.setAuthentication(current);
      }
    }
  }

  private void require(HttpMethod method, String apiPath) {
    if (!allows(method, apiPath, user())) {
      throw new jakarta.ws.rs.WebApplicationException(Response.status(403)
          .entity(Map.of("message", "your groups do not allow " + method + " " + apiPath)).build());
    }
  }

  private static boolean allows(HttpMethod method, String apiPath, UserAuthentication user) {
    List<String> groups = user.getGroupIds() == null ? List.of() : user.getGroupIds();
    return AccessRules.allows(method, apiPath, groups);
  }

  private UserAuthentication user() {
    Authentications current = Authentications.getCurrent();
    var authentication = current == null ? null : current.getAuthenticationForProcessEngine(engineName);
    if (authentication instanceof UserAuthentication user) {
      return user;
    }
    throw new jakarta.ws.rs.WebApplicationException(Response.status(401).build());
  }

  private static Response found(Optional<?> value) {
    return value.map(v -> Response.ok(v).build()).orElseGet(() -> Response.status(404).build());
  }

  private static Response file(Optional<java.nio.file.Path> path, String type) {
    return path.filter(java.nio.file.Files::isRegularFile)
        .map(p -> Response.ok(p.toFile(), type).build()).orElseGet(() -> Response.status(404).build());
  }
}

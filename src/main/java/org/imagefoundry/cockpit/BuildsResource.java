package org.imagefoundry.cockpit;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camunda.bpm.cockpit.plugin.resource.AbstractCockpitPluginResource;
import org.camunda.bpm.webapp.impl.security.auth.Authentications;
import org.camunda.bpm.webapp.impl.security.auth.UserAuthentication;
import org.imagefoundry.builds.BuildState;
import org.imagefoundry.builds.Page;
import org.imagefoundry.rules.Problem;
import org.imagefoundry.security.AccessRules;
import org.imagefoundry.security.Permission;
import org.imagefoundry.spec.InvalidRequestException;

/**
 * The plugin's server side. Each call is allowed or refused by the same table as the API call it
 * stands for, asked by name ({@link AccessRules#may}), for the user logged in to Cockpit with that user's groups:
 * a builder reads, an admin also cancels. A refused or bad request is answered 4xx with JSON, never a 500,
 * and leaves nothing in the log.
 */
public class BuildsResource extends AbstractCockpitPluginResource {

  private final CockpitBuilds builds;
  private final PhaseTimelines timelines;

  public BuildsResource(String engineName, CockpitBuilds builds, PhaseTimelines timelines) {
    super(engineName);
    this.builds = builds;
    this.timelines = timelines;
  }

  /** Who is looking, and what the plugin should offer them. */
  @GET
  @Path("viewer")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> viewer() {
    UserAuthentication user = user();
    return Map.of("user", user.getName(),
        "mayRead", may(user, Permission.READ_BUILDS),
        "mayCancel", may(user, Permission.CANCEL_BUILD));
  }

  /** The Builds panel's page: {@code limit}, {@code offset} and {@code state} as {@code GET /api/builds} takes them. */
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Response list(@QueryParam("state") String state, @QueryParam("limit") String limit,
      @QueryParam("offset") String offset) {
    require(Permission.READ_BUILDS);
    BuildState wanted;
    try {
      wanted = state == null || state.isBlank() ? null : BuildState.valueOf(state);
    } catch (IllegalArgumentException e) {
      throw invalid(List.of(new Problem("state", "must be one of " + List.of(BuildState.values()))));
    }
    Page page;
    try {
      page = Page.of(limit, offset);
    } catch (InvalidRequestException e) {
      throw invalid(e.problems());
    }
    return Response.ok(asService(() -> builds.list(wanted, page))).build();
  }

  @GET
  @Path("by-process-instance/{processInstanceId}")
  @Produces(MediaType.APPLICATION_JSON)
  public Response byProcessInstance(@PathParam("processInstanceId") String processInstanceId) {
    require(Permission.READ_BUILDS);
    return found(asService(() -> builds.byProcessInstance(processInstanceId)));
  }

  @GET
  @Path("{id}")
  @Produces(MediaType.APPLICATION_JSON)
  public Response get(@PathParam("id") String id) {
    require(Permission.READ_BUILDS);
    return found(asService(() -> builds.find(id)));
  }

  /** What the Phases picture draws: every task's times, compensation, and every failed attempt. */
  @GET
  @Path("{id}/phases")
  @Produces(MediaType.APPLICATION_JSON)
  public Response phases(@PathParam("id") String id) {
    require(Permission.READ_BUILDS);
    return found(asService(() -> timelines.of(id)));
  }

  /** The log from byte {@code from} on: the Build log tab asks again from {@code next} until {@code ended}. */
  @GET
  @Path("{id}/log")
  @Produces(MediaType.APPLICATION_JSON)
  public Response log(@PathParam("id") String id, @QueryParam("from") String from) {
    require(Permission.READ_BUILDS);
    long start = offset(from);
    return found(asService(() -> builds.log(id, start)));
  }

  /** The whole log as text, for the Builds panel's link. */
  @GET
  @Path("{id}/log.txt")
  @Produces(MediaType.TEXT_PLAIN)
  public Response logText(@PathParam("id") String id) {
    require(Permission.READ_BUILDS);
    return file(asService(() -> builds.logFile(id)), MediaType.TEXT_PLAIN + ";charset=utf-8");
  }

  @GET
  @Path("{id}/metadata.yaml")
  public Response metadata(@PathParam("id") String id) {
    require(Permission.READ_BUILDS);
    return file(asService(() -> builds.metadata(id)), MediaType.TEXT_PLAIN + ";charset=utf-8");
  }

  @GET
  @Path("{id}/images/{name}")
  public Response image(@PathParam("id") String id, @PathParam("name") String name) {
    require(Permission.READ_BUILDS);
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
    require(Permission.CANCEL_BUILD);
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

  private void require(Permission permission) {
    if (!may(user(), permission)) {
      throw refused(403, Map.of("message", "your groups do not grant " + permission));
    }
  }

  /** A byte offset in a log: absent is 0; anything but a whole number from 0 on is a 400 naming {@code from}. */
  private static long offset(String from) {
    if (from == null) {
      return 0;
    }
    if (!from.matches("[0-9]{1,18}")) {
      throw invalid(List.of(new Problem("from", "must be a whole number from 0 to 999999999999999999")));
    }
    return Long.parseLong(from);
  }

  /** A 400 listing the bad parameters, as the API's. */
  private static WebApplicationException invalid(List<Problem> problems) {
    return refused(400, Map.of("title", "Invalid request", "problems", problems));
  }

  /**
   * A refusal that Jersey sends as it is: typed JSON, so that it is written whatever the method produces
   * (a 403 of {@code log.txt} was a 500 and a stack trace: no writer of a map as text), and an answer
   * with an entity never reaches Camunda's exception mappers, which log.
   */
  private static WebApplicationException refused(int status, Object entity) {
    return new WebApplicationException(Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(entity).build());
  }

  private static boolean may(UserAuthentication user, Permission permission) {
    List<String> groups = user.getGroupIds() == null ? List.of() : user.getGroupIds();
    return AccessRules.may(groups, permission);
  }

  private UserAuthentication user() {
    Authentications current = Authentications.getCurrent();
    var authentication = current == null ? null : current.getAuthenticationForProcessEngine(engineName);
    if (authentication instanceof UserAuthentication user) {
      return user;
    }
    throw refused(401, Map.of("message", "log in to Cockpit"));
  }

  private static Response found(Optional<?> value) {
    return value.map(v -> Response.ok(v).build()).orElseGet(() -> Response.status(404).build());
  }

  private static Response file(Optional<java.nio.file.Path> path, String type) {
    return path.filter(java.nio.file.Files::isRegularFile)
        .map(p -> Response.ok(p.toFile(), type).build()).orElseGet(() -> Response.status(404).build());
  }
}

package org.imagefoundry.cockpit;

import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.camunda.bpm.cockpit.plugin.resource.AbstractCockpitPluginRootResource;
import org.springframework.web.context.support.WebApplicationContextUtils;

/**
 * {@code /camunda/api/cockpit/plugin/image-foundry/{engine}/builds}: behind Cockpit's session login and
 * CSRF check. Jersey makes this resource, not Spring, so it takes the service's beans from the web
 * application context.
 */
@Path("plugin/" + BuildsCockpitPlugin.ID)
public class BuildsPluginRootResource extends AbstractCockpitPluginRootResource {

  public BuildsPluginRootResource() {
    super(BuildsCockpitPlugin.ID);
  }

  @Path("{engineName}/builds")
  public BuildsResource builds(@PathParam("engineName") String engineName) {
    var context = WebApplicationContextUtils.getRequiredWebApplicationContext(servletContext);
    return subResource(new BuildsResource(engineName, context.getBean(CockpitBuilds.class),
        context.getBean(PhaseTimelines.class)), engineName);
  }
}

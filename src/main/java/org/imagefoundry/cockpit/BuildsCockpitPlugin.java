package org.imagefoundry.cockpit;

import java.util.Set;
import org.camunda.bpm.cockpit.plugin.spi.impl.AbstractCockpitPlugin;

/**
 * Image Foundry in Cockpit, through Camunda's plugin SPI (registered in
 * {@code META-INF/services/org.camunda.bpm.cockpit.plugin.spi.CockpitPlugin}): the dashboard's Builds
 * panel, a process instance's "Cancel build" action and "Build log" tab ({@code plugin-webapp/image-foundry/app/plugin.js}),
 * and their server side, {@link BuildsResource}.
 */
public class BuildsCockpitPlugin extends AbstractCockpitPlugin {

  public static final String ID = "image-foundry";

  @Override
  public String getId() {
    return ID;
  }

  @Override
  public Set<Class<?>> getResourceClasses() {
    return Set.of(BuildsPluginRootResource.class);
  }

  @Override
  public String getAssetDirectory() {
    return "plugin-webapp/" + ID;
  }
}

package org.imagefoundry.api;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** A browser asks every page's host for {@code /favicon.ico} (a log or metadata file too): Camunda's. */
@Configuration
public class Favicon implements WebMvcConfigurer {

  @Override
  public void addViewControllers(ViewControllerRegistry registry) {
    registry.addRedirectViewController("/favicon.ico", "/camunda/favicon.ico");
  }
}

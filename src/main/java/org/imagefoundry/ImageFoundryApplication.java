package org.imagefoundry;

import org.imagefoundry.host.ChrootProcesses;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class ImageFoundryApplication {

  public static void main(String[] args) {
    int orphans = ChrootProcesses.stopOrphans();
    if (orphans > 0) {
      System.err.println("killed " + orphans + " command(s) a previous run of this service left behind");
    }
    SpringApplication.run(ImageFoundryApplication.class, args);
  }
}

package org.imagefoundry.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The whole service on a random port, with the job executor on and the real host: real builds, as root,
 * from the default mirror in the host's apt sources. Workspace, outputs and data live under
 * /var/tmp/image-foundry-it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:real-build-test;DB_CLOSE_DELAY=-1",
    "image-foundry.data-dir=" + RealBuildTest.ROOT + "/data",
    "image-foundry.build-root=" + RealBuildTest.ROOT + "/build",
    "image-foundry.allowed-output-roots=" + RealBuildTest.ROOT + "/images",
    "image-foundry.allowed-file-repo-roots=" + RealBuildTest.ROOT + "/repos",
    "image-foundry.admin.password=" + RealBuildTest.PASSWORD,
    "image-foundry.retry-cycle=R2/PT5S",
    "image-foundry.max-concurrent-builds=4",
})
public @interface RealBuildTest {
  String ROOT = "/var/tmp/image-foundry-it";
  String PASSWORD = "real-build-test";
}

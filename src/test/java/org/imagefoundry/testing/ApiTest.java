package org.imagefoundry.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/** Like {@link ProcessTest}, but served over HTTP on a random port, for tests of the API itself. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "camunda.bpm.job-execution.enabled=false",
    "spring.datasource.url=jdbc:h2:mem:api-test;DB_CLOSE_DELAY=-1",
    "image-foundry.data-dir=${java.io.tmpdir}/image-foundry-test-data",
    "image-foundry.build-root=${java.io.tmpdir}/image-foundry-api-test/build",
    "image-foundry.allowed-output-roots=${java.io.tmpdir}/image-foundry-api-test/images",
    "image-foundry.default-mirror=http://127.0.0.1:9/debian",
    "image-foundry.max-concurrent-builds=1000",
    "image-foundry.cache.enabled=false",
    "image-foundry.admin.password=" + ApiTest.ADMIN_PASSWORD,
})
@Import(FakeHostConfiguration.class)
@AutoConfigureObservability(tracing = false)
public @interface ApiTest {
  String ADMIN_PASSWORD = "api-test";
}

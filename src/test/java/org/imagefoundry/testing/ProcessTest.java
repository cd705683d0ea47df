package org.imagefoundry.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * The whole service on a random port with the job executor off, an in-memory database and a
 * {@link FakeHost} in place of the machine: a test drives the process job by job with BPM Assert, or
 * calls the API over HTTP. Every test class uses this same configuration, so the JVM holds a single
 * process engine named "default" (Camunda's REST API looks engines up in a static registry). Each test
 * starts with no output file claimed by the builds earlier tests left ({@link ReleasedOutputs}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "camunda.bpm.job-execution.enabled=false",
    "spring.datasource.url=jdbc:h2:mem:process-test;DB_CLOSE_DELAY=-1",
    "image-foundry.data-dir=${java.io.tmpdir}/image-foundry-test-data",
    "image-foundry.build-root=${java.io.tmpdir}/image-foundry-process-test/build",
    "image-foundry.allowed-output-roots=${java.io.tmpdir}/image-foundry-process-test/images",
    "image-foundry.default-mirror=http://127.0.0.1:9/debian",
    "image-foundry.max-concurrent-builds=1000",
    // the tests leave builds running as they go: no cap on them, nor a floor the test machine may be under
    "image-foundry.quotas.max-builds-per-user=100000",
    "image-foundry.quotas.min-free-space=1MB",
    "image-foundry.cache.enabled=false",
    "image-foundry.health.min-free-space=1MB",
    "image-foundry.admin.password=" + ProcessTest.ADMIN_PASSWORD,
    "image-foundry.retry-cycle=R2/PT1S",
})
@Import(FakeHostConfiguration.class)
@ExtendWith(ReleasedOutputs.class)
@AutoConfigureObservability(tracing = false)
public @interface ProcessTest {
  String ADMIN_PASSWORD = "process-test";
}

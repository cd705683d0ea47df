package org.imagefoundry.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test that needs root or the machine's real devices (loop devices, mounts, user namespaces, root-owned
 * paths). The plain {@code mvn test} leaves it out, so that it passes as any user; scripts/test, as root,
 * runs it with the rest (pom.xml, property {@code unit-tests.excluded-groups}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(NeedsRoot.TAG)
public @interface NeedsRoot {
  String TAG = "root";
}

package org.imagefoundry;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The packages' layering, as the README's layout lists it: each top-level package imports only those
 * listed before it, so there is no cycle and {@code host/} depends on nothing but the leaves.
 */
class LayersTest {

  /** Bottom up, as in the README. */
  static final List<String> LAYERS = List.of("settings", "process", "users", "rules", "host", "spec", "imagetree",
      "metadata", "cache", "metrics", "admission", "steps", "engine", "builds", "monitoring", "security", "api",
      "cockpit");

  static final JavaClasses MAIN = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("org.imagefoundry");

  @Test
  void theTopLevelPackagesHaveNoCycle() {
    slices().matching("org.imagefoundry.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void everyPackageImportsOnlyThoseBelowIt() {
    for (int i = 0; i < LAYERS.size(); i++) {
      String[] above = LAYERS.subList(i + 1, LAYERS.size()).stream().map(p -> "org.imagefoundry." + p + "..")
          .toArray(String[]::new);
      if (above.length > 0) {
        noClasses().that().resideInAPackage("org.imagefoundry." + LAYERS.get(i) + "..").should()
            .dependOnClassesThat().resideInAnyPackage(above).check(MAIN);
      }
    }
  }

  @Test
  void hostDependsOnTheLeavesOnly() {
    noClasses().that().resideInAPackage("org.imagefoundry.host..").should().dependOnClassesThat()
        .resideInAnyPackage(LAYERS.subList(LAYERS.indexOf("host") + 1, LAYERS.size()).stream()
            .map(p -> "org.imagefoundry." + p + "..").toArray(String[]::new))
        .because("the host layer runs commands for everything above it and knows nothing of it").check(MAIN);
  }

  @Test
  void everyTopLevelPackageIsInTheList() {
    org.assertj.core.api.Assertions.assertThat(MAIN.size()).as("classes imported").isGreaterThan(100);
    MAIN.stream().map(c -> c.getPackageName()).filter(p -> p.startsWith("org.imagefoundry."))
        .map(p -> p.substring("org.imagefoundry.".length()).split("\\.")[0]).distinct()
        .forEach(p -> org.assertj.core.api.Assertions.assertThat(LAYERS).as("package " + p + " in LAYERS").contains(p));
  }
}

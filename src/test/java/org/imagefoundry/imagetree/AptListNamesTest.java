package org.imagefoundry.imagetree;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AptListNamesTest {

  @Test
  void aSuitesListFilesAreNamedAsAptNamesThem() {
    assertThat(AptListNames.suitePrefix("http://mirror.invalid/debian", "bookworm"))
        .isEqualTo("mirror.invalid_debian_dists_bookworm_");
    assertThat(AptListNames.suitePrefix("https://user:pw@mirror.invalid:8080/de_bian/~x/", "bookworm-updates"))
        .isEqualTo("mirror.invalid:8080_de%5fbian_%7ex_dists_bookworm-updates_");
  }

  @Test
  void aListFilesNameGivesItsPathInTheSuite() {
    String prefix = AptListNames.suitePrefix("http://mirror.invalid/debian", "bookworm");

    assertThat(AptListNames.pathInSuite(prefix, prefix + "main_binary-amd64_Packages")).contains("main/binary-amd64/Packages");
    assertThat(AptListNames.pathInSuite(prefix, prefix + "non%5ffree_i18n_Translation-en")).contains("non_free/i18n/Translation-en");
    assertThat(AptListNames.pathInSuite(prefix, "other.invalid_debian_dists_bookworm_InRelease")).isEmpty();
    assertThat(AptListNames.pathInSuite(prefix, prefix + "main_bad%2")).isEmpty();
  }
}

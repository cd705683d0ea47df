package org.imagefoundry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ServiceUrlTest {

  @ParameterizedTest
  @CsvSource({
      "http://localhost:8080, http://localhost:8080",
      "https://foundry.example/, https://foundry.example",
      "HTTPS://foundry.example:8443/behind/proxy//, https://foundry.example:8443/behind/proxy",
  })
  void takesHttpAndHttpsBaseUrls(String given, String base) {
    assertThat(ServiceUrl.parse(given)).hasToString(base);
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost:8080", "ftp://host", "http://", "http://host/?a=b", "http://host/#x", "not a url"})
  void refusesAnythingElse(String given) {
    assertThatThrownBy(() -> ServiceUrl.parse(given)).isInstanceOfSatisfying(Failure.class,
        f -> assertThat(f.exitCode()).isEqualTo(ExitCodes.USAGE));
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://admin:secret@localhost:8080", "http://admin@localhost:8080"})
  void refusesCredentialsInTheUrlWithoutRepeatingThem(String given) {
    assertThatThrownBy(() -> ServiceUrl.parse(given)).isInstanceOf(Failure.class)
        .hasMessageContaining("ps shows").hasMessageNotContaining("secret");
  }
}

package org.imagefoundry.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camunda.spin.Spin;
import org.junit.jupiter.api.Test;

/** {@link BuildVariables#of}: the variables read as their types, and a missing or mistyped one named. */
class BuildVariablesTest {

  @Test
  void readsEachVariableAsItsType() {
    var variables = BuildVariables.of(Map.of(BuildVariables.BUILD_ID, "b1", BuildVariables.MIRROR, "http://m/debian",
        BuildVariables.DISK_REQUESTED, true, BuildVariables.REQUEST, Spin.JSON("{\"output\":\"/o\"}"),
        BuildVariables.EVACUATED_FROM, "n1,n2", BuildVariables.NODE, "n3"));

    assertThat(variables.buildId()).isEqualTo("b1");
    assertThat(variables.mirror()).isEqualTo("http://m/debian");
    assertThat(variables.diskRequested()).isTrue();
    assertThat(variables.request()).isEqualTo("{\"output\":\"/o\"}");
    assertThat(variables.evacuatedFrom()).containsExactly("n1", "n2");
    assertThat(variables.node()).contains("n3");
  }

  @Test
  void anUnsetFlagIsFalseAndAnUnsetOptionalValueEmpty() {
    var variables = BuildVariables.of(Map.of());

    assertThat(variables.packagesFromCache()).isFalse();
    assertThat(variables.requestedByAdmin()).isFalse();
    assertThat(variables.node()).isEmpty();
    assertThat(variables.evacuatedFrom()).isEqualTo(List.of());
    assertThat(variables.json(BuildVariables.OS)).isEqualTo(Optional.empty());
  }

  @Test
  void aMissingVariableIsNamed() {
    assertThatThrownBy(() -> BuildVariables.of(Map.of()).buildId()).isInstanceOf(BuildVariables.InvalidVariableException.class)
        .hasMessage("process variable 'buildId' is missing");
    assertThatThrownBy(() -> BuildVariables.of(Map.of()).request()).hasMessage("process variable 'request' is missing");
  }

  @Test
  void aVariableOfAnotherTypeIsNamedWithWhatItHolds() {
    assertThatThrownBy(() -> BuildVariables.of(Map.of(BuildVariables.MIRROR, 42)).mirror())
        .isInstanceOf(BuildVariables.InvalidVariableException.class)
        .hasMessage("process variable 'mirror' holds a Integer, not String");
    assertThatThrownBy(() -> BuildVariables.of(Map.of(BuildVariables.BASE_FROM_CACHE, "true")).baseFromCache())
        .hasMessage("process variable 'baseFromCache' holds a String, not Boolean");
    assertThatThrownBy(() -> BuildVariables.of(Map.of(BuildVariables.OS, 1L)).json(BuildVariables.OS))
        .hasMessage("process variable 'os' holds a Long, not JSON");
  }
}

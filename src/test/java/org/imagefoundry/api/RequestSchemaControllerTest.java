package org.imagefoundry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.imagefoundry.spec.RequestSchema;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/** The request's schema is served as application/schema+json, whatever the client accepts. Who may read it: AuthorizationMatrixTest. */
class RequestSchemaControllerTest {

  static final ObjectMapper JSON = new ObjectMapper();

  MockMvc mvc = MockMvcBuilders.standaloneSetup(new RequestSchemaController()).build();

  @Test
  void servesTheSchemaAsSchemaJson() throws Exception {
    for (String accept : List.of("application/schema+json", "application/json", "*/*")) {
      byte[] body = mvc.perform(get("/api/schema/build-request").accept(accept))
          .andExpect(status().isOk())
          .andExpect(content().contentType("application/schema+json"))
          .andReturn().getResponse().getContentAsByteArray();

      assertThat(JSON.readTree(body)).as(accept).isEqualTo(JSON.readTree(RequestSchema.text()));
      assertThat(JSON.readTree(body).get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
    }
  }
}

package org.imagefoundry.api;

import io.swagger.v3.oas.annotations.Operation;
import org.imagefoundry.spec.RequestSchema;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The build request's JSON Schema (draft 2020-12), so an upstream system can check a request before it
 * sends it; the OpenAPI document's request body refers to it ({@link BuildController#start}).
 */
@RestController
public class RequestSchemaController {

  static final String PATH = "/api/schema/build-request";
  static final MediaType SCHEMA_JSON = MediaType.parseMediaType("application/schema+json");

  @Operation(summary = "The build request's JSON Schema (draft 2020-12)", description = "The structural checks of "
      + "POST /api/builds. The service checks more: the caller's rights, the allowed hosts and roots, its limits.")
  @GetMapping(PATH)
  public ResponseEntity<byte[]> buildRequest() {
    // the content type is set here, not negotiated: any Accept gets the schema
    return ResponseEntity.ok().contentType(SCHEMA_JSON).body(RequestSchema.text());
  }
}

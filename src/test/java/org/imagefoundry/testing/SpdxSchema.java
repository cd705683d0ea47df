package org.imagefoundry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** SPDX 2.3's JSON schema (spdx/spdx-spec, tag v2.3, schemas/spdx-schema.json), shipped in the test resources. */
public final class SpdxSchema {

  private static final Schema SCHEMA = load();

  private SpdxSchema() {}

  /** Every way {@code document} breaks the schema; empty when it is a valid SPDX 2.3 document. */
  public static List<String> problems(JsonNode document) {
    return SCHEMA.validate(document).stream().map(Object::toString).toList();
  }

  private static Schema load() {
    try (InputStream in = SpdxSchema.class.getResourceAsStream("/spdx/spdx-schema-2.3.json")) {
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package org.imagefoundry.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.imagefoundry.rules.Problem;

/**
 * The build request's shape, declared once: the JSON Schema (draft 2020-12) in
 * {@value #RESOURCE}, which the API serves to upstream systems and which checks every request here.
 * Its errors become {@link Problem}s with our field paths ({@code repos[1].uri},
 * {@code image_data./.format}), one per field, worded from the schema's descriptions.
 */
public final class RequestSchema {

  /** The class path resource of the schema. */
  public static final String RESOURCE = "/schema/build-request.schema.json";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] TEXT = read();
  private static final JsonNode TREE = tree();
  private static final String ID = TREE.get("$id").asText();
  /** The schema under its id; the library's own messages (where the schema has no description) in English. */
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
      builder -> builder.schemas(Map.of(ID, new String(TEXT, StandardCharsets.UTF_8)))
          .schemaRegistryConfig(SchemaRegistryConfig.builder().locale(Locale.ENGLISH).build()));
  private static final Schema REQUEST = REGISTRY.getSchema(SchemaLocation.of(ID));

  private RequestSchema() {}

  /** The schema as the API serves it. */
  public static byte[] text() {
    return TEXT.clone();
  }

  /** Every way {@code request} breaks the schema, at most one problem per field; empty when it fits. */
  public static List<Problem> problems(JsonNode request) {
    return problems(REQUEST, request, "");
  }

  /**
   * Every way {@code value} breaks the schema's definition {@code name} ({@code $defs/name}), each named
   * {@code field}: for values that are checked as a part of a request, outside one.
   */
  public static List<Problem> problems(String definition, JsonNode value, String field) {
    return problems(REGISTRY.getSchema(SchemaLocation.of(ID + "#/$defs/" + definition)), value, field);
  }

  private static List<Problem> problems(Schema schema, JsonNode value, String field) {
    // a keyword's error often comes with others at the same field (a type and a minimum): the first says it
    Map<String, String> byField = new LinkedHashMap<>();
    for (Error error : schema.validate(value)) {
      byField.putIfAbsent(field(field, error), message(error));
    }
    List<Problem> problems = new ArrayList<>();
    byField.forEach((path, message) -> problems.add(new Problem(path, message)));
    return problems;
  }

  /**
   * The field in our syntax: names joined by '.', indexes in brackets. A missing or unknown property is
   * named itself; a missing entry of a map (an image for "/") names the map.
   */
  private static String field(String root, Error error) {
    var path = new StringBuilder(root);
    NodePath location = error.getInstanceLocation();
    for (int i = 0; i < location.getNameCount(); i++) {
      if (location.getElement(i) instanceof Integer index) {
        path.append('[').append(index).append(']');
      } else {
        name(path, location.getName(i));
      }
    }
    if (error.getProperty() != null && !("required".equals(error.getKeyword()) && !declared(error))) {
      name(path, error.getProperty());
    }
    return path.toString();
  }

  private static void name(StringBuilder path, String name) {
    path.append(path.isEmpty() ? "" : ".").append(name);
  }

  /** Whether a required property is one of its object's declared properties rather than an entry of a map. */
  private static boolean declared(Error error) {
    return holder(error).path("properties").has(error.getProperty());
  }

  private static String message(Error error) {
    JsonNode holder = holder(error);
    return switch (error.getKeyword()) {
      case "required" -> declared(error) ? required(holder.path("properties").get(error.getProperty()))
          : mustBe(holder, error);
      case "additionalProperties" -> "unknown field";
      case "enum" -> "must be one of " + StreamSupport.stream(error.getSchemaNode().spliterator(), false)
          .filter(value -> !value.isNull()).map(JsonNode::asText).collect(Collectors.joining(", ", "[", "]"));
      case "propertyNames" -> mustBe(error.getSchemaNode(), error);
      default -> mustBe(holder, error);
    };
  }

  private static String required(JsonNode property) {
    String description = description(property);
    return description == null ? "required" : "required: " + description;
  }

  private static String mustBe(JsonNode schema, Error error) {
    String description = description(schema);
    return description == null ? error.getMessage() : "must be " + description;
  }

  /** A schema's description, or that of the definition it refers to. */
  private static String description(JsonNode schema) {
    if (schema.hasNonNull("description")) {
      return schema.get("description").asText();
    }
    if (schema.hasNonNull("$ref") && schema.get("$ref").asText().startsWith("#")) {
      JsonNode target = TREE.at(schema.get("$ref").asText().substring(1));
      return target.hasNonNull("description") ? target.get("description").asText() : null;
    }
    return null;
  }

  /** The schema that holds the keyword that failed. */
  private static JsonNode holder(Error error) {
    String keyword = error.getSchemaLocation().getFragment().toString();
    return TREE.at(keyword.substring(0, keyword.lastIndexOf('/')));
  }

  private static byte[] read() {
    try (InputStream in = RequestSchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode tree() {
    try {
      return JSON.readTree(TEXT);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

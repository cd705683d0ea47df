package org.imagefoundry.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.imagefoundry.rules.Problem;
import org.junit.jupiter.api.Test;

/**
 * The build request's schema: a valid draft 2020-12 schema that any validator can use (as an upstream
 * system would, on the file alone), which every example passes, and whose errors name our fields.
 */
class RequestSchemaTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final SchemaRegistry DRAFT_2020_12 = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  static JsonNode schemaFile() throws Exception {
    return JSON.readTree(Path.of("src/main/resources" + RequestSchema.RESOURCE).toFile());
  }

  @Test
  void theSchemaIsAValidDraft202012Schema() throws Exception {
    JsonNode schema = schemaFile();
    Schema metaSchema = DRAFT_2020_12.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));

    assertThat(schema.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
    assertThat(metaSchema.validate(schema)).isEmpty();
    // and the meta-schema refuses what is not a schema: the check above can fail
    assertThat(metaSchema.validate(JSON.readTree("{\"type\": \"text\", \"required\": \"output\"}"))).isNotEmpty();
  }

  @Test
  void everyExampleFitsTheSchemaAsAnyValidatorReadsIt() throws Exception {
    Schema schema = DRAFT_2020_12.getSchema(schemaFile());
    List<Path> examples;
    try (Stream<Path> files = Files.list(Path.of("examples"))) {
      examples = files.filter(file -> file.toString().endsWith(".json")).sorted().toList();
    }

    assertThat(examples).hasSizeGreaterThanOrEqualTo(2);
    for (Path example : examples) {
      assertThat(schema.validate(JSON.readTree(example.toFile()))).as(example.toString()).isEmpty();
    }
  }

  @Test
  void theServedSchemaIsTheFile() throws Exception {
    assertThat(JSON.readTree(RequestSchema.text())).isEqualTo(schemaFile());
  }

  static ObjectNode request(Consumer<ObjectNode> change) throws Exception {
    ObjectNode request = (ObjectNode) JSON.readTree("""
        {"image_data": {"/": {"uri": "http://h/root.img.gz", "format": "ext4", "container": "gzip"}},
         "output": "/srv/images", "codename": "bookworm",
         "repos": [{"name": "debian"}, {"name": "extra", "uri": "http://h/extra", "suite": "x"}],
         "packages": ["less"]}
        """);
    change.accept(request);
    return request;
  }

  static List<Problem> problems(Consumer<ObjectNode> change) throws Exception {
    return RequestSchema.problems(request(change));
  }

  static ObjectNode root(ObjectNode request) {
    return (ObjectNode) request.get("image_data").get("/");
  }

  @Test
  void aWellFormedRequestHasNoProblems() throws Exception {
    assertThat(problems(r -> {})).isEmpty();
  }

  @Test
  void aMissingOrUnknownFieldIsNamedByItsPath() throws Exception {
    assertThat(problems(r -> r.remove("codename"))).containsExactly(
        new Problem("codename", "required: the suite debootstrap installs, e.g. bookworm"));
    assertThat(problems(r -> root(r).remove("format"))).extracting(Problem::field).containsExactly("image_data./.format");
    assertThat(problems(r -> r.put("colour", "blue"))).containsExactly(new Problem("colour", "unknown field"));
    assertThat(problems(r -> root(r).put("mountpoint", "/")))
        .containsExactly(new Problem("image_data./.mountpoint", "unknown field"));
  }

  @Test
  void aMissingEntryOfAMapNamesTheMap() throws Exception {
    assertThat(problems(r -> ((ObjectNode) r.get("image_data")).set("/srv", ((ObjectNode) r.get("image_data")).remove("/"))))
        .containsExactly(new Problem("image_data", "must be an object of mount point to image, with at least \"/\""));
  }

  @Test
  void listEntriesAreNamedByTheirIndexAndMapKeysAsTheyAre() throws Exception {
    assertThat(problems(r -> r.putArray("packages").add("less").add(7)))
        .containsExactly(new Problem("packages[1]", "must be a Debian package name"));
    assertThat(problems(r -> ((ObjectNode) r.get("repos").get(1)).put("priority", "high")))
        .containsExactly(new Problem("repos[1].priority", "must be null (no pin) or an integer between -10000 and 10000"));
    assertThat(problems(r -> ((ObjectNode) r.get("image_data")).set("srv", root(r).deepCopy())))
        .containsExactly(new Problem("image_data.srv", "must be a mount point: an absolute, normalized path of plain names"));
    assertThat(problems(r -> r.putObject("proxies").putObject("protocols").put("ftp", "http://p:3128")))
        .extracting(Problem::field).containsExactly("proxies.protocols.ftp");
  }

  @Test
  void aFieldIsNamedOnceWithTheDescriptionOrTheChoices() throws Exception {
    // a float is neither an integer nor a string, and below the minimum: one problem
    assertThat(problems(r -> root(r).put("size", 1.5))).containsExactly(new Problem("image_data./.size",
        "must be a number of bytes (at least 64M) or a size like 1G or 8192M, as truncate reads it"));
    assertThat(problems(r -> root(r).put("format", "btrfs")))
        .containsExactly(new Problem("image_data./.format", "must be one of [ext2, ext3, ext4, xfs]"));
    assertThat(problems(r -> r.put("codename", "book worm")))
        .containsExactly(new Problem("codename", "must be a plain name: letters, digits, '.', '_' or '-'"));
  }

  @Test
  void bothPasswordsNameThePlainOne() throws Exception {
    assertThat(problems(r -> r.put("root_password", "a").put("hashed_root_password", "$6$saltsalt$x")))
        .extracting(Problem::field).containsExactly("root_password");
    assertThat(problems(r -> r.putNull("root_password").put("hashed_root_password", "$6$saltsalt$x"))).isEmpty();
  }

  @Test
  void aDefinitionChecksAValueOutsideARequest() {
    assertThat(RequestSchema.problems("repoUri", TextNode.valueOf("http://h/debian'x"), "mirror"))
        .extracting(Problem::field).containsExactly("mirror");
    assertThat(RequestSchema.problems("repoUri", TextNode.valueOf("http://h/debian"), "mirror")).isEmpty();
  }
}

package org.imagefoundry.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.commons.codec.digest.DigestUtils;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.imagefoundry.rules.Problem;
import org.imagefoundry.users.Caller;
import org.springframework.stereotype.Component;

/**
 * Turns a request as received into the spec a build runs: validated (every problem at once), defaults
 * filled in (the mirror, sizes in bytes), and a plain root password replaced by its SHA-512 crypt hash,
 * so the password itself is never stored.
 */
@Component
public class BuildRequests {

  /** Key order fixed, so equal requests hash equally. */
  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private final SpecValidator validator;
  private final DefaultMirror defaultMirror;

  public BuildRequests(SpecValidator validator, DefaultMirror defaultMirror) {
    this.validator = validator;
    this.defaultMirror = defaultMirror;
  }

  /**
   * Parses, validates (with {@code caller}'s rights) and normalizes; throws {@link InvalidRequestException}
   * listing every problem.
   */
  public BuildSpec prepare(String json, Caller caller) {
    JsonNode tree;
    try {
      tree = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException(List.of(new Problem(location(e), "not valid JSON: " + e.getOriginalMessage())));
    }
    return prepare(tree, caller);
  }

  public BuildSpec prepare(JsonNode request, Caller caller) {
    List<Problem> problems = validator.validate(request, caller);
    if (!problems.isEmpty()) {
      throw new InvalidRequestException(problems);
    }
    return normalize(((ObjectNode) request).deepCopy());
  }

  /** A stable digest of a normalized spec: the metadata records it, and an identical request is skipped. */
  public static String hash(BuildSpec spec) {
    try {
      byte[] canonical = CANONICAL.writeValueAsBytes(CANONICAL.valueToTree(spec));
      return DigestUtils.sha256Hex(canonical);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static JsonNode tree(BuildSpec spec) {
    return JSON.valueToTree(spec);
  }

  public static String toJson(BuildSpec spec) {
    try {
      return JSON.writeValueAsString(spec);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static BuildSpec fromJson(String json) {
    try {
      return JSON.readValue(json, BuildSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored request is not a build spec", e);
    }
  }

  private BuildSpec normalize(ObjectNode request) {
    String codename = request.get("codename").asText();
    Architecture arch = Architecture.named(request.path("architecture").textValue()).orElseThrow();
    request.put("architecture", arch.name());
    if (!request.hasNonNull("repos")) {
      ArrayNode repos = request.putArray("repos");
      repos.addObject().put("name", "debian");
    }
    for (JsonNode node : request.get("repos")) {
      ObjectNode repo = (ObjectNode) node;
      if (!repo.hasNonNull("uri")) {
        repo.put("uri", defaultMirror.uri());
      }
      if (!repo.hasNonNull("suite")) {
        repo.put("suite", codename);
      }
      if (!repo.hasNonNull("section")) {
        repo.put("section", "main");
      }
      repo.put("type", "deb");
      repo.remove("meta");
    }
    request.get("image_data").forEach(node -> {
      ObjectNode image = (ObjectNode) node;
      JsonNode size = image.get("size");
      image.put("size", size == null || size.isNull() ? Sizes.DEFAULT_IMAGE_SIZE
          : size.isNumber() ? size.asLong() : Sizes.parse(size.asText()));
    });
    if (!request.hasNonNull("packages")) {
      request.putArray("packages");
    }
    if (request.hasNonNull("disk")) {
      ObjectNode disk = (ObjectNode) request.get("disk");
      if (!disk.hasNonNull("partition_table")) {
        disk.put("partition_table", "gpt");
      }
      if (!disk.hasNonNull("boot")) {
        disk.put("boot", arch.bios() ? "bios" : "uefi");
      }
      JsonNode diskSize = disk.get("size");
      if (diskSize != null && diskSize.isTextual()) {
        disk.put("size", Sizes.parse(diskSize.asText()));
      }
      JsonNode swap = disk.get("swap");
      if (swap != null && swap.hasNonNull("size") && swap.get("size").isTextual()) {
        ((ObjectNode) swap).put("size", Sizes.parse(swap.get("size").asText()));
      }
    }
    JsonNode password = request.remove("root_password");
    if (password != null && !password.isNull()) {
      request.put("hashed_root_password", hashPassword(password.asText(), request));
    }
    try {
      return JSON.treeToValue(request, BuildSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("validated request does not map onto BuildSpec", e);
    }
  }

  /**
   * SHA-512 crypt with a salt derived from where the images go, so an identical request hashes to the
   * same value (and is skipped as already built) while different builds get different salts.
   */
  static String hashPassword(String password, ObjectNode request) {
    byte[] seed = DigestUtils.sha256(request.path("output").asText() + "|" + request.path("image_data").toString());
    String alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    var salt = new StringBuilder("$6$");
    for (int i = 0; i < 16; i++) {
      salt.append(alphabet.charAt((seed[i] & 0xff) % alphabet.length()));
    }
    return Sha2Crypt.sha512Crypt(password.getBytes(StandardCharsets.UTF_8), salt.toString());
  }

  private static String location(JsonProcessingException e) {
    if (e instanceof com.fasterxml.jackson.databind.JsonMappingException mapping && !mapping.getPath().isEmpty()) {
      return mapping.getPathReference();
    }
    String message = e.getOriginalMessage();
    if (message != null && message.startsWith("Duplicate field '")) {
      return message.substring("Duplicate field '".length(), message.indexOf('\'', "Duplicate field '".length()));
    }
    return "";
  }
}

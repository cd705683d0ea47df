package org.imagefoundry.process;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.delegate.VariableScope;
import org.camunda.spin.json.SpinJsonNode;

/**
 * The process variables of a build, in one place: what each one holds (the names), and their values
 * read as the types they hold ({@link #of}): the one place that converts a variable, and that names it
 * when it is missing or holds something else (a step fails then, the engine retries, then an incident).
 */
public final class BuildVariables {

  /** The build's id; also the process instance's business key and the name of its workspace. */
  public static final String BUILD_ID = "buildId";
  /** The normalized request (JSON), exactly what the build runs; never holds a plain password. */
  public static final String REQUEST = "request";
  /** SHA-256 of the normalized request; recorded in the metadata so an identical request is skipped. */
  public static final String REQUEST_HASH = "requestHash";
  /** The URI of the base repo (debootstrap's mirror); an admin may change it and retry a failed step. */
  public static final String MIRROR = "mirror";
  /** The user who asked for the build; the owner of its output files (admission.OutputClaims). */
  public static final String REQUESTED_BY = "requestedBy";
  /** True when the user who asked for the build is an admin (who may replace another user's outputs). */
  public static final String REQUESTED_BY_ADMIN = "requestedByAdmin";
  /** The task the build is in (or last entered). */
  public static final String PHASE = "phase";
  /** True when every output already exists with metadata for the same request. */
  public static final String ALREADY_BUILT = "alreadyBuilt";
  /** True when the base system came from the base-tree cache instead of debootstrap. */
  public static final String BASE_FROM_CACHE = "baseFromCache";
  /** True when the whole tree after installPackages came from the package-layer cache (apt is skipped). */
  public static final String PACKAGES_FROM_CACHE = "packagesFromCache";
  /** The package-layer cache key (JSON) of the build's tree after installPackages; null when the cache is off or the key unknown. */
  public static final String PACKAGE_LAYER_KEY = "packageLayerKey";
  /** True when images of the same content are in the image store: the build is published from them. */
  public static final String SAME_CONTENT_STORED = "sameContentStored";
  /**
   * The content key (JSON) of the image store's entry that holds this build's images: the one
   * checkExistingImages found, or the one storeImages filled; null when there is none.
   */
  public static final String CONTENT_KEY = "contentKey";
  /**
   * The raw md5s recorded with the stored images restoreStoredImages copied (JSON list, an element null
   * where an image was changed since); null when none were.
   */
  public static final String STORED_RAW_MD5S = "storedRawMd5s";
  /** The root password's hash in the stored images restoreStoredImages copied; null when they hold none. */
  public static final String STORED_ROOT_PASSWORD = "storedRootPassword";
  /** The os entry read from the image (JSON). */
  public static final String OS = "os";
  /** The published images with their checksums and sizes (JSON list, as in the metadata). */
  public static final String IMAGES = "images";
  /** Debian's name of the architecture the build is for (amd64, arm64); set as the build starts. */
  public static final String ARCHITECTURE = "architecture";
  /** True when the request asks for a bootable disk; set as the build starts. */
  public static final String DISK_REQUESTED = "diskRequested";
  /** The disk's partitions with their UUIDs once assembled (JSON list, as in the metadata). */
  public static final String DISK_PARTITIONS = "diskPartitions";
  /** The version of the kernel the disk boots. */
  public static final String KERNEL = "kernel";
  /** The published disk (JSON, as in the metadata). */
  public static final String DISK = "disk";
  /** Every package installed in the image, from its dpkg database (JSON list, as in the metadata). */
  public static final String INSTALLED_PACKAGES = "installedPackages";
  /** Absolute path of the SPDX document once written. */
  public static final String SBOM_PATH = "sbomPath";
  /** Absolute path of the metadata YAML once written. */
  public static final String METADATA_PATH = "metadataPath";
  /** The published files (JSON list of paths). */
  public static final String OUTPUT_PATHS = "outputPaths";
  /** Why the build failed or was cancelled. */
  public static final String ERROR = "error";
  /** The first error met while cleaning up, if any. */
  public static final String CLEANUP_ERROR = "cleanupError";

  /**
   * The node that carries the build out, from the step after its slot was granted to its last step
   * (null while it waits for a slot); set by the node that claims it (engine.SlotClaims).
   */
  public static final String NODE = "node";
  /** The nodes this build was evacuated from, comma-separated: each releases what the build left on it. */
  public static final String EVACUATED_FROM = "evacuatedFrom";
  /** The message a node with a free slot sends a build waiting at <i>Wait for a build slot</i>. */
  public static final String SLOT_MESSAGE = "buildSlotFree";

  /** The BPMN error code of an unrecoverable failure. */
  public static final String BUILD_FAILED = "buildFailed";
  /** The message that cancels a build. */
  public static final String CANCEL_MESSAGE = "cancelBuild";

  private final Function<String, Object> values;

  private BuildVariables(Function<String, Object> values) {
    this.values = values;
  }

  /** The variables of an execution (a step's, a listener's) or of any other scope. */
  public static BuildVariables of(VariableScope scope) {
    return new BuildVariables(scope::getVariable);
  }

  /** The variables of a running build, each read when asked for. */
  public static BuildVariables of(RuntimeService runtime, String processInstanceId) {
    return new BuildVariables(name -> runtime.getVariable(processInstanceId, name));
  }

  /** Variables already read, by name (e.g. from the history). */
  public static BuildVariables of(Map<String, ?> values) {
    return new BuildVariables(values::get);
  }

  public String buildId() {
    return required(BUILD_ID, String.class);
  }

  /** The request as JSON text (the variable holds it as JSON, or as text when started by hand). */
  public String request() {
    return json(REQUEST).orElseThrow(() -> missing(REQUEST));
  }

  public String requestHash() {
    return required(REQUEST_HASH, String.class);
  }

  /** The base repo's URI as stored: a step checks it again before use (an admin may have edited it). */
  public String mirror() {
    return required(MIRROR, String.class);
  }

  /** Empty for a build started by the engine alone (no user of ours, no engine user). */
  public Optional<String> requestedBy() {
    return optional(REQUESTED_BY, String.class);
  }

  /** Missing is false: only a start that says so makes the requester an admin. */
  public boolean requestedByAdmin() {
    return flag(REQUESTED_BY_ADMIN);
  }

  public Optional<String> phase() {
    return optional(PHASE, String.class);
  }

  public Optional<String> node() {
    return optional(NODE, String.class);
  }

  /** The architecture; empty for a build started before the service knew of others (all amd64). */
  public Optional<String> architecture() {
    return optional(ARCHITECTURE, String.class);
  }

  /** The nodes the build was evacuated from, in order; none when it never was. */
  public List<String> evacuatedFrom() {
    return optional(EVACUATED_FROM, String.class).filter(from -> !from.isEmpty())
        .map(from -> Arrays.asList(from.split(","))).orElse(List.of());
  }

  public Optional<String> error() {
    return optional(ERROR, String.class);
  }

  public Optional<String> cleanupError() {
    return optional(CLEANUP_ERROR, String.class);
  }

  public boolean diskRequested() {
    return flag(DISK_REQUESTED);
  }

  public boolean baseFromCache() {
    return flag(BASE_FROM_CACHE);
  }

  public boolean packagesFromCache() {
    return flag(PACKAGES_FROM_CACHE);
  }

  public boolean sameContentStored() {
    return flag(SAME_CONTENT_STORED);
  }

  /** The kernel findKernel found: installBootloader cannot run without it. */
  public String kernel() {
    return required(KERNEL, String.class);
  }

  public Optional<String> storedRootPassword() {
    return optional(STORED_ROOT_PASSWORD, String.class);
  }

  public Optional<String> metadataPath() {
    return optional(METADATA_PATH, String.class);
  }

  /** A JSON variable's text (stored as JSON, or as text when set by hand); empty when unset. */
  public Optional<String> json(String name) {
    Object value = values.apply(name);
    if (value == null || value instanceof String || value instanceof SpinJsonNode) {
      return Optional.ofNullable(value).map(Object::toString);
    }
    throw wrongType(name, value, "JSON");
  }

  private <T> T required(String name, Class<T> type) {
    return optional(name, type).orElseThrow(() -> missing(name));
  }

  private <T> Optional<T> optional(String name, Class<T> type) {
    Object value = values.apply(name);
    if (value == null || type.isInstance(value)) {
      return Optional.ofNullable(type.cast(value));
    }
    throw wrongType(name, value, type.getSimpleName());
  }

  /** A yes-or-no variable; unset is no. */
  private boolean flag(String name) {
    return optional(name, Boolean.class).orElse(false);
  }

  private static InvalidVariableException missing(String name) {
    return new InvalidVariableException("process variable '" + name + "' is missing");
  }

  private static InvalidVariableException wrongType(String name, Object value, String expected) {
    return new InvalidVariableException("process variable '" + name + "' holds a " + value.getClass().getSimpleName()
        + ", not " + expected);
  }

  /** A variable that is not there, or not of its type: the message names it. */
  public static class InvalidVariableException extends IllegalStateException {

    InvalidVariableException(String message) {
      super(message);
    }
  }
}

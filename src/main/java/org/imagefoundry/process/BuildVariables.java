package org.imagefoundry.process;

/** The process variables of a build, in one place: what each one holds. */
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

  private BuildVariables() {}
}

package org.imagefoundry.metadata;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The bootable disk beside the images: its file, format, size and md5 as published, and its partitions. */
public record DiskMetadata(
    String name,
    String format,
    long size,
    String md5,
    String boot,
    @JsonProperty("partition_table") String partitionTable,
    List<PartitionMetadata> partitions) {

  /** One partition: {@code role} bios_boot, filesystem or swap; {@code mount} and {@code filesystem} for filesystems. */
  public record PartitionMetadata(int number, String role, String mount, String filesystem, long start, long size,
      String uuid) {}
}

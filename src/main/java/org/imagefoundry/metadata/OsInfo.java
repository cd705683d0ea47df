package org.imagefoundry.metadata;

/** The {@code os} entry of the metadata, read from the image's /etc/os-release. */
public record OsInfo(String name, int major, int minor) {}

package org.imagefoundry.metadata;

/** A repo as fuel-agent's metadata lists it, plus whether it was used without signature checks. */
public record RepoMetadata(Object meta, String name, Integer priority, String section, String suite, String type,
    String uri, boolean trusted) {}

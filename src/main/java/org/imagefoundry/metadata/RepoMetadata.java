package org.imagefoundry.metadata;

/**
 * A repo as fuel-agent's metadata lists it, plus how its signatures were checked: {@code trusted} (not at
 * all) or its own {@code keyring} (null: Debian's keyring).
 */
public record RepoMetadata(Object meta, String name, Integer priority, String section, String suite, String type,
    String uri, boolean trusted, String keyring) {}

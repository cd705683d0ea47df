package org.imagefoundry.metadata;

/**
 * One installed package, from the image's dpkg database; {@code repo} names the request's repo apt
 * installed it from (null when none of them offers that version).
 */
public record PackageMetadata(String name, String version, String architecture, String source, String repo) {}

package org.imagefoundry.rules;

/** One thing wrong with a request: the field's path (for example {@code repos[1].uri}) and why. */
public record Problem(String field, String message) {}

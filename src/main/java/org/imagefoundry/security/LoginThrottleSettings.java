package org.imagefoundry.security;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code image-foundry.login-throttle.*}: a client address with {@code maxFailures} failed logins within
 * {@code window} of its first is answered 429 until that window ends.
 */
@ConfigurationProperties("image-foundry.login-throttle")
public record LoginThrottleSettings(
    @DefaultValue("10") int maxFailures,
    @DefaultValue("PT30S") Duration window) {}

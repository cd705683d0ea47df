package org.imagefoundry.admission;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code image-foundry.quotas.*}: how many builds one user may have queued or running at once (beyond,
 * a new one is answered 429 with {@code Retry-After: retryAfter}), and the free space this node keeps in
 * its build root and every output root (below it, a new build is answered 507).
 */
@ConfigurationProperties("image-foundry.quotas")
public record QuotaSettings(
    @DefaultValue("20") int maxBuildsPerUser,
    @DefaultValue("2GB") DataSize minFreeSpace,
    @DefaultValue("PT30S") Duration retryAfter) {}

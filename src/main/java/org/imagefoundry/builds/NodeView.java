package org.imagefoundry.builds;

import java.time.Instant;
import java.util.List;

/**
 * A node as {@code GET /api/nodes} returns it: its last heartbeat and whether that is recent
 * ({@code alive}), its slots in use (builds in incident hold none) and in all, the builds it carries out (those in
 * incident included), the free space of its build
 * root and the sizes of its base-tree cache and package pool, in bytes.
 */
public record NodeView(String name, Instant lastHeartbeat, boolean alive, long slotsInUse, int slots,
    List<String> builds, long freeBytes, long baseCacheBytes, long packageCacheBytes) {}

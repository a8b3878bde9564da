package org.mambaplayground.downloader;

import java.time.Duration;

/**
 * How hard to try: exponential back-off between attempts, reset whenever bytes arrive, and the longest
 * rate-limit wait we accept before reporting {@link HubException.Kind#RATE_LIMITED}.
 *
 * @param attemptsWithoutProgress give up after this many consecutive failures that brought no byte
 */
public record RetryPolicy(int attemptsWithoutProgress, Duration firstBackoff, Duration maxBackoff, Duration maxRateLimitWait) {

    public static final RetryPolicy DEFAULT =
            new RetryPolicy(6, Duration.ofSeconds(1), Duration.ofSeconds(16), Duration.ofMinutes(10));

    public RetryPolicy {
        if (attemptsWithoutProgress < 1) throw new IllegalArgumentException("attemptsWithoutProgress must be >= 1");
    }

    /** Back-off before the given retry (1-based): first, 2*first, 4*first ... capped at max. */
    public Duration backoff(int retry) {
        long ms = firstBackoff.toMillis() << Math.min(20, Math.max(0, retry - 1));
        return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
    }
}

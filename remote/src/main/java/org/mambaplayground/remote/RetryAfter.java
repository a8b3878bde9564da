package org.mambaplayground.remote;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** The {@code Retry-After} header: delay-seconds or an HTTP date (RFC 9110). */
final class RetryAfter {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'");

    private RetryAfter() {}

    /** The wait it asks for, or null when absent or unreadable. */
    static Duration parse(String header) {
        if (header == null || header.isBlank()) return null;
        String value = header.strip();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(ZonedDateTime.now(ZoneOffset.UTC), at);
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    /** "retry in 12 s (at 01:23:45 UTC)", or advice when the server gave no time. */
    static String describe(Duration wait) {
        if (wait == null) return "it sent no Retry-After: wait a little before retrying";
        long seconds = Math.max(0, (wait.toMillis() + 999) / 1000);
        String at = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(seconds).format(CLOCK);
        return "retry in " + seconds + " s (at " + at + ")";
    }
}

package org.mambaplayground.downloader;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** Reading the hub's rate-limit headers, including values no real hub sends. */
class HubHttpTest {

    private static Response tooManyRequests(String header, String value) {
        return new Response.Builder().request(new Request.Builder().url("https://huggingface.co/x").build())
                .protocol(Protocol.HTTP_1_1).code(429).message("Too Many Requests").header(header, value).build();
    }

    @Test
    void theRateLimitHeaderSaysHowLongToWait() {
        assertThat(HubHttp.rateLimitWait(tooManyRequests("RateLimit", "\"resolvers\";r=0;t=55"))).isEqualTo(Duration.ofSeconds(56));
        assertThat(HubHttp.rateLimitWait(tooManyRequests("Retry-After", "7"))).isEqualTo(Duration.ofSeconds(7));
        assertThat(HubHttp.rateLimitWait(tooManyRequests("RateLimit", "\"resolvers\";r=3;t=55"))).isNull();
    }

    @Test
    void aWaitTooLargeForALongIsTheLongestWaitNotACrash() {
        String huge = "99999999999999999999999";
        assertThat(HubHttp.rateLimitWait(tooManyRequests("RateLimit", "\"resolvers\";r=0;t=" + huge))).isEqualTo(Duration.ofSeconds(Long.MAX_VALUE));
        assertThat(HubHttp.rateLimitWait(tooManyRequests("RateLimit", "\"resolvers\";r=0;t=" + Long.MAX_VALUE))).isEqualTo(Duration.ofSeconds(Long.MAX_VALUE));
        assertThat(HubHttp.rateLimitWait(tooManyRequests("Retry-After", huge))).isEqualTo(Duration.ofSeconds(Long.MAX_VALUE));
        assertThat(HubHttp.rateLimitWait(tooManyRequests("RateLimit", "\"resolvers\";r=" + huge + ";t=5"))).isNull();
    }
}

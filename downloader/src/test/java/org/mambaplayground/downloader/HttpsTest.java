package org.mambaplayground.downloader;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.downloader.testing.TestHub;

/**
 * The real hub and its CDN speak HTTPS: the same download over TLS on loopback, through the downloader's own
 * sockets (TLS is layered on them), with a dropped connection resumed and the token kept from the CDN.
 */
class HttpsTest {

    @TempDir
    Path tmp;

    @Test
    void downloadsOverTlsResumesAfterADropAndKeepsTheTokenFromTheCdn() throws Exception {
        HeldCertificate certificate = new HeldCertificate.Builder()
                .addSubjectAlternativeName("localhost").addSubjectAlternativeName("127.0.0.1").build();
        HandshakeCertificates server = new HandshakeCertificates.Builder().heldCertificate(certificate).build();
        HandshakeCertificates client = new HandshakeCertificates.Builder()
                .addTrustedCertificate(certificate.certificate()).build();
        byte[] weights = HubFixture.randomBytes(11, 3_000_000);
        String params = "{\"dim\": 64}";
        try (TestHub hub = TestHub.startHttps(server.sslContext())) {
            hub.acceptTokens("hf_secret");
            hub.repo("mistralai/Tiny").file("params.json", params).lfsFile("consolidated.safetensors", weights)
                    .dropConnectionAt("consolidated.safetensors", 1_234_567);
            assertThat(hub.endpoint()).startsWith("https://");
            OkHttpClient trusting = new OkHttpClient.Builder()
                    .sslSocketFactory(client.sslSocketFactory(), client.trustManager()).build();
            Path dir = tmp.resolve("Tiny");
            try (HubClient hubClient = HubFixture.client(hub, tmp.resolve("hf")).okHttpClient(trusting).token("hf_secret").build()) {
                RepoListing listing = hubClient.list("mistralai/Tiny", "main");
                hubClient.start(hubClient.plan(listing, FilePatterns.ALL, dir), null).await();
            }
            assertThat(Files.readAllBytes(dir.resolve("consolidated.safetensors"))).isEqualTo(weights);
            List<TestHub.Recorded> cdn = hub.requests("cdn");
            assertThat(cdn).extracting(r -> r.header("Range")).containsExactly("bytes=0-", "bytes=1234567-");
            assertThat(cdn).allSatisfy(r -> assertThat(r.header("Authorization")).isNull());
            assertThat(hub.fileBytesSent()).as("no byte served twice").isEqualTo(weights.length + params.length());
        }
    }
}

package org.mambaplayground.downloader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The download sockets against a real loopback peer that sends some bytes, then goes silent. */
class LargeReadSocketsTest {

    @Test
    void deliversEveryByteInOrderThenReportsAStallAfterTheStallTimeout() throws Exception {
        byte[] sent = new byte[3 * LargeReadSockets.READ_SIZE + 4321];
        new Random(3).nextBytes(sent);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread peer = Thread.ofPlatform().start(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    out.write(sent);
                    out.flush();
                    Thread.sleep(5_000);  // silent, connection open: a stalled server
                } catch (Exception ignored) {
                    // the client hung up
                }
            });
            try (Socket socket = new LargeReadSockets(Duration.ofMillis(400)).createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                socket.setSoTimeout(0);  // what OkHttp sets when its own read timeout is off
                assertThat(socket.getSoTimeout()).as("0 means the stall timeout").isEqualTo(400);
                socket.setSoTimeout(1);  // OkHttp's health check
                assertThat(socket.getSoTimeout()).isEqualTo(1);
                socket.setSoTimeout(0);
                InputStream in = socket.getInputStream();
                byte[] got = new byte[sent.length];
                int n = 0;
                while (n < got.length) n += in.read(got, n, Math.min(8192, got.length - n));  // Okio's read size
                assertThat(got).isEqualTo(sent);
                long t0 = System.nanoTime();
                assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(350));
            }
            peer.interrupt();
            peer.join();
        }
    }
}

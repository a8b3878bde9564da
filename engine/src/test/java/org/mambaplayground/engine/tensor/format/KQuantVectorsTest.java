package org.mambaplayground.engine.tensor.format;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Q4_K, Q5_K and Q6_K against vectors from an independent numpy implementation of ggml's dequantization
 * ({@code tools/reference/kquant_vectors.py}): random super-blocks decode to the same floats bit for bit (get,
 * decode), and dot, the prefill tile and axpy agree with the reference products. Our own quantizer (a plain
 * min/max fit, not ggml's search) is checked by its round-trip error.
 */
class KQuantVectorsTest {
    private static float hexFloat(JsonNode n) { return Float.intBitsToFloat(Integer.parseUnsignedInt(n.asText(), 16)); }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = hexFloat(array.get(i));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q4_K", "Q5_K", "Q6_K"})
    void decodeAndDotMatchTheGgmlDefinition(String name) throws IOException {
        WeightFormat format = WeightFormat.named(name).orElseThrow();
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/quant/" + name.toLowerCase() + ".json")) {
            root = new ObjectMapper().readTree(in);
        }
        assertThat(root.get("block_bytes").asInt()).isEqualTo(format.blockBytes());
        int cases = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (JsonNode c : root.get("cases")) {
                String label = name + " " + c.get("name").asText();
                float[] dequant = floats(c.get("dequant")), activation = floats(c.get("activation"));
                byte[] blocks = HexFormat.of().parseHex(c.get("blocks").asText());
                int n = dequant.length;
                MemorySegment seg = arena.allocate(blocks.length + 3).asSlice(3); // unaligned on purpose
                MemorySegment.copy(blocks, 0, seg, ValueLayout.JAVA_BYTE, 0, blocks.length);

                float[] decoded = new float[n];
                format.decode(seg, 0, decoded, 0, n);
                for (int i = 0; i < n; i++) {
                    assertThat(Float.floatToRawIntBits(decoded[i])).as("%s: element %d", label, i).isEqualTo(Float.floatToRawIntBits(dequant[i]));
                    assertThat(Float.floatToRawIntBits(format.get(seg, i))).as("%s: get(%d)", label, i).isEqualTo(Float.floatToRawIntBits(dequant[i]));
                }
                double dot = c.get("dot").asDouble(), tolerance = 1e-5 * c.get("dot_abs").asDouble() + 1e-30;
                assertThat((double) format.dot(seg, 0, activation, 0, n)).as(label + ": dot").isCloseTo(dot, Offset.offset(tolerance));

                // The tile: the same row twice, four tokens of which the first is the activation.
                float[] x = new float[4 * n];
                System.arraycopy(activation, 0, x, 0, n);
                float[] out = new float[4 * 2];
                format.dot2x4(seg, 0, 0, x, 0, n, out, 2, 0);
                assertThat((double) out[0]).as(label + ": tile").isCloseTo(dot, Offset.offset(tolerance));
                assertThat((double) out[1]).as(label + ": tile, second row").isCloseTo(dot, Offset.offset(tolerance));
                assertThat(out[2]).isZero();

                float[] y = new float[n];
                format.axpy(2f, seg, 0, y, 0, n);
                for (int i = 0; i < n; i++) assertThat(y[i]).as("%s: axpy %d", label, i).isEqualTo(2f * dequant[i]);
                cases++;
            }
        }
        assertThat(cases).isGreaterThanOrEqualTo(6);
    }

    /** Round trip of Gaussian weights through our quantizer: the error a format of its bits should have. */
    @ParameterizedTest
    @ValueSource(strings = {"Q4_K:0.10", "Q5_K:0.05", "Q6_K:0.025"})
    void ourQuantizerKeepsTheErrorOfItsBitWidth(String nameAndBound) {
        String[] parts = nameAndBound.split(":");
        WeightFormat format = WeightFormat.named(parts[0]).orElseThrow();
        int n = 256 * 64;
        float[] x = new float[n];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < n; i++) x[i] = (float) (random.nextGaussian() * (i / 256 % 2 == 0 ? 0.02 : 1.5));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(format.bytes(n));
            format.encode(x, 0, seg, 0, n);
            float[] back = new float[n];
            format.decode(seg, 0, back, 0, n);
            double err = 0, norm = 0;
            for (int i = 0; i < n; i++) {
                err += (back[i] - x[i]) * (double) (back[i] - x[i]);
                norm += x[i] * (double) x[i];
            }
            assertThat(Math.sqrt(err / norm)).as(format + " relative RMS error").isLessThan(Double.parseDouble(parts[1]));
        }
    }
}

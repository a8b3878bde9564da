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
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Q8_0 and Q4_0 against vectors made by an independent numpy implementation of ggml's reference quantizers
 * ({@code tools/reference/quant_vectors.py}, checked there bit for bit against llama.cpp's C): the quantized
 * bytes, the dequantized floats and dot products with an activation row.
 */
class QuantVectorsTest {
    private static float hexFloat(JsonNode n) { return Float.intBitsToFloat(Integer.parseUnsignedInt(n.asText(), 16)); }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = hexFloat(array.get(i));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_0"})
    void quantizeDequantizeAndDotMatchTheGgmlDefinition(String name) throws IOException {
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
                float[] x = floats(c.get("x")), dequant = floats(c.get("dequant")), activation = floats(c.get("activation"));
                byte[] blocks = HexFormat.of().parseHex(c.get("blocks").asText());
                int n = x.length;
                MemorySegment seg = arena.allocate(format.bytes(n) + 1).asSlice(1); // unaligned on purpose

                format.encode(x, 0, seg, 0, n);
                assertThat(seg.toArray(ValueLayout.JAVA_BYTE)).as(label + ": quantized bytes").isEqualTo(blocks);

                float[] decoded = new float[n];
                format.decode(seg, 0, decoded, 0, n);
                for (int i = 0; i < n; i++) {
                    assertThat(Float.floatToRawIntBits(decoded[i])).as("%s: element %d", label, i).isEqualTo(Float.floatToRawIntBits(dequant[i]));
                    assertThat(Float.floatToRawIntBits(format.get(seg, i))).as("%s: get(%d)", label, i).isEqualTo(Float.floatToRawIntBits(dequant[i]));
                }

                double tolerance = 1e-6 * c.get("dot_abs").asDouble() + 1e-30;
                assertThat((double) format.dot(seg, 0, activation, 0, n)).as(label + ": dot").isCloseTo(c.get("dot").asDouble(), Offset.offset(tolerance));
                cases++;
            }
        }
        assertThat(cases).isGreaterThan(10);
    }
}

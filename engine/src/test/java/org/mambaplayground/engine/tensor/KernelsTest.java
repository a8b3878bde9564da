package org.mambaplayground.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mambaplayground.engine.tensor.format.BF16Format;
import org.mambaplayground.engine.tensor.format.F16Format;
import org.mambaplayground.engine.tensor.format.F32Format;
import org.mambaplayground.engine.tensor.format.Q4_0Format;
import org.mambaplayground.engine.tensor.format.Q4_KFormat;
import org.mambaplayground.engine.tensor.format.Q5_KFormat;
import org.mambaplayground.engine.tensor.format.Q6_KFormat;
import org.mambaplayground.engine.tensor.format.Q8_0Format;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/** The vector kernels against plain double-precision loops over independently decoded weights. */
class KernelsTest {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** rows x cols: odd sizes around the lane counts (4, 8, 16) and sizes big enough to run in parallel. */
    private static final int[][] SHAPES = {{1, 1}, {3, 7}, {5, 15}, {17, 33}, {2, 64}, {9, 37}, {130, 257}, {301, 515}, {64, 1024}};
    /** The same for block formats, whose rows are whole blocks of 32: odd block counts too. */
    private static final int[][] BLOCK_SHAPES = {{1, 32}, {3, 96}, {5, 160}, {17, 32}, {2, 64}, {9, 352}, {130, 256}, {301, 544}, {64, 1024}};

    private final Arena arena = Arena.ofShared(); // kernels read from worker threads
    private final SplittableRandom random = new SplittableRandom(42);

    @AfterEach
    void close() { arena.close(); }

    static List<WeightFormat> formats() { return WeightFormat.ALL; }

    private static final int[][] SUPER_BLOCK_SHAPES = {{1, 256}, {3, 512}, {17, 256}, {5, 768}, {130, 256}, {9, 1280}};

    private static int[][] shapes(WeightFormat format) {
        return format.blockElements() == 256 ? SUPER_BLOCK_SHAPES : format.quantized() ? BLOCK_SHAPES : SHAPES;
    }

    /** A [rows, cols] tensor of random values stored in {@code format}, at a deliberately unaligned address. */
    private Tensor randomTensor(WeightFormat format, int rows, int cols) {
        long bytes = format.bytes((long) rows * cols);
        MemorySegment seg = arena.allocate(bytes + 2, 64).asSlice(2, bytes);
        long rowBytes = format.bytes(cols);
        for (int r = 0; r < rows; r++) format.encode(randomVector(cols), 0, seg, r * rowBytes, cols);
        return new Tensor("w", format, new long[] {rows, cols}, seg);
    }

    /** Independent decoding of element i (not the format's own code): IEEE layouts and GGML's block structs. */
    private static double element(Tensor w, long i) {
        MemorySegment seg = w.data();
        return switch (w.format()) {
            case F32Format f -> seg.get(F32, 4 * i);
            case BF16Format f -> Float.intBitsToFloat((seg.get(I16, 2 * i) & 0xFFFF) << 16);
            case F16Format f -> Float.float16ToFloat(seg.get(I16, 2 * i));
            case Q8_0Format f -> {
                long block = i / 32 * 34;
                yield Float.float16ToFloat(seg.get(I16, block)) * seg.get(ValueLayout.JAVA_BYTE, block + 2 + i % 32);
            }
            case Q4_0Format f -> {
                long block = i / 32 * 18;
                int j = (int) (i % 32), b = seg.get(ValueLayout.JAVA_BYTE, block + 2 + j % 16) & 0xFF;
                yield Float.float16ToFloat(seg.get(I16, block)) * ((j < 16 ? b & 15 : b >> 4) - 8);
            }
            case Q4_KFormat f -> GgmlDequant.q4K(seg.asSlice(i / 256 * 144, 144))[(int) (i % 256)];
            case Q5_KFormat f -> GgmlDequant.q5K(seg.asSlice(i / 256 * 176, 176))[(int) (i % 256)];
            case Q6_KFormat f -> GgmlDequant.q6K(seg.asSlice(i / 256 * 210, 210))[(int) (i % 256)];
        };
    }

    private float[] randomVector(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
    }

    private static void assertDot(double[] weights, Tensor w, float[] x, int xOff, int r, float actual) {
        int cols = (int) w.dim(1);
        double sum = 0, magnitude = 0;
        for (int c = 0; c < cols; c++) {
            double p = weights[r * cols + c] * x[xOff + c];
            sum += p;
            magnitude += Math.abs(p);
        }
        assertThat((double) actual).as("row %d of %s", r, w).isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-5 * magnitude + 1e-6));
    }

    private static void assertDot(Tensor w, float[] x, int xOff, int r, float actual) {
        int cols = (int) w.dim(1);
        double sum = 0, magnitude = 0;
        for (int c = 0; c < cols; c++) {
            double p = element(w, (long) r * cols + c) * x[xOff + c];
            sum += p;
            magnitude += Math.abs(p);
        }
        assertThat((double) actual).as("row %d of %s", r, w).isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-5 * magnitude + 1e-6));
    }

    @ParameterizedTest
    @MethodSource("formats")
    void matvecMatchesScalarLoop(WeightFormat format) {
        for (int[] shape : shapes(format)) {
            Tensor w = randomTensor(format, shape[0], shape[1]);
            float[] x = randomVector(shape[1]);
            float[] out = new float[shape[0]];
            Kernels.matvec(w, x, out);
            for (int r = 0; r < shape[0]; r++) assertDot(w, x, 0, r, out[r]);
        }
    }

    /** The four-row dot of decode, rows and outputs strided, at odd block counts, against the scalar definition. */
    @ParameterizedTest
    @MethodSource("formats")
    void fourRowDotMatchesTheDefinition(WeightFormat format) {
        for (int[] shape : shapes(format)) {
            int cols = shape[1], stride = 5, rows = 2 + 3 * stride + 1;
            Tensor w = randomTensor(format, rows, cols);
            float[] x = randomVector(cols);
            float[] out = new float[2 + 3 * 3 + 2];
            format.dot4(w.data(), 2 * w.rowBytes(), stride * w.rowBytes(), x, cols, out, 2, 3);
            for (int k = 0; k < 4; k++) assertDot(w, x, 0, 2 + k * stride, out[2 + 3 * k]);
            assertThat(out[0]).isZero();
            assertThat(out[out.length - 1]).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void matmulMatchesScalarLoopForEveryTokenCount(WeightFormat format) {
        for (int[] shape : shapes(format)) {
            // From PanelMatmul.MIN_TOKENS the panel kernel (with a partial last panel, 8-token blocks and single
            // tokens); only on the smaller shapes, the reference is slow.
            boolean small = (long) shape[0] * shape[1] <= 200_000;
            int p = PanelMatmul.MIN_TOKENS;
            for (int n : small ? new int[] {1, 2, 3, 4, 5, 8, 11, p, p + 13} : new int[] {1, 2, 3, 4, 5, 8, 11}) {
                Tensor w = randomTensor(format, shape[0], shape[1]);
                float[] x = randomVector(n * shape[1]);
                float[] out = new float[n * shape[0]];
                Kernels.matmul(w, x, out, n);
                double[] weights = new double[shape[0] * shape[1]]; // decoded once: the reference is slow
                for (int i = 0; i < weights.length; i++) weights[i] = element(w, i);
                for (int t = 0; t < n; t++) {
                    for (int r = 0; r < shape[0]; r++) assertDot(weights, w, x, t * shape[1], r, out[t * shape[0] + r]);
                }
            }
        }
    }

    /** Row decoding, get() and axpy agree with the independent decoding, element for element. */
    @ParameterizedTest
    @MethodSource("formats")
    void rowGetAndAxpyMatchTheDefinition(WeightFormat format) {
        for (int[] shape : shapes(format)) {
            Tensor w = randomTensor(format, shape[0], shape[1]);
            float[] row = new float[shape[1]];
            int r = shape[0] / 2;
            Kernels.row(w, r, row);
            float[] y = randomVector(shape[1] + 3), before = y.clone();
            format.axpy(0.75f, w.data(), r * w.rowBytes(), y, 3, shape[1] - (format.quantized() ? 0 : 1));
            for (int c = 0; c < shape[1]; c++) {
                long i = (long) r * shape[1] + c;
                assertThat(row[c]).as("%s element %d", format, c).isEqualTo((float) element(w, i));
                assertThat(w.get(i)).isEqualTo((float) element(w, i));
            }
            int n = shape[1] - (format.quantized() ? 0 : 1);
            for (int c = 0; c < n; c++) {
                assertThat(y[3 + c]).isCloseTo(before[3 + c] + 0.75f * (float) element(w, (long) r * shape[1] + c), org.assertj.core.data.Offset.offset(1e-5f));
            }
            assertThat(y[0]).isEqualTo(before[0]);
        }
    }

    /** Attention's block kernels: a softmax's numerators, weighted value rows. */
    @Test
    void attentionBlockKernelsAgreeWithTheirDefinitions() {
        for (int n : new int[] {3, 16, 37, 64, 128, 131}) {
            float[] q = randomVector(n), rows = randomVector(40 * n);
            for (int[] range : new int[][] {{0, 32}, {5, 21}, {7, 8}, {3, 3}, {17, 40}}) {
                float[] p = randomVector(40);
                float[] original = p.clone();
                Kernels.expShifted(p, range[0], range[1], 1.5f);
                for (int j = 0; j < 40; j++) {
                    if (j < range[0] || j >= range[1]) {
                        assertThat(p[j]).as("outside the range").isEqualTo(original[j]);
                        continue;
                    }
                    double e = Math.exp(original[j] - 1.5);
                    assertThat((double) p[j]).isCloseTo(e, org.assertj.core.data.Percentage.withPercentage(1e-4));
                }
                float[] acc = randomVector(n + 2), before = acc.clone(), weights = randomVector(40);
                Kernels.addWeightedRows(weights, range[0], range[1], rows, n, acc, 1);
                assertThat(acc[0]).isEqualTo(before[0]);
                assertThat(acc[n + 1]).isEqualTo(before[n + 1]);
                for (int d = 0; d < n; d++) {
                    double expected = before[1 + d];
                    for (int j = range[0]; j < range[1]; j++) expected += (double) weights[j] * rows[j * n + d];
                    assertThat((double) acc[1 + d]).as("n %d d %d", n, d).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4));
                }
            }
        }
    }

    @Test
    void blockFormatsRefuseRowsOfPartialBlocks() {
        for (WeightFormat f : List.of(WeightFormat.Q8_0, WeightFormat.Q4_0)) {
            assertThatThrownBy(() -> new Tensor("w", f, new long[] {2, 48}, arena.allocate(f.bytes(96))))
                    .hasMessageContaining("tensor w").hasMessageContaining("48").hasMessageContaining(f.name());
            assertThatThrownBy(() -> f.bytes(33)).hasMessageContaining("whole blocks of 32");
        }
        assertThat(WeightFormat.Q4_0.bytes(4096)).isEqualTo(4096 / 32 * 18L);
        assertThat(WeightFormat.Q8_0.bytes(4096)).isEqualTo(4096 / 32 * 34L);
    }

    @Test
    void heapF32TensorsWork() {
        int rows = 37, cols = 91, n = 6;
        float[] values = randomVector(rows * cols);
        Tensor w = Tensor.ofFloats("w", values, rows, cols);
        float[] x = randomVector(n * cols);
        float[] out = new float[n * rows];
        Kernels.matmul(w, x, out, n);
        for (int t = 0; t < n; t++) for (int r = 0; r < rows; r++) assertDot(w, x, t * cols, r, out[t * rows + r]);
        float[] row = new float[cols];
        Kernels.row(w, 5, row);
        for (int c = 0; c < cols; c++) assertThat(row[c]).isEqualTo(values[5 * cols + c]);
    }

    /** Every one of the 65536 half and bfloat16 bit patterns decodes exactly (subnormals, infinities, NaN, -0). */
    @ParameterizedTest
    @MethodSource("halfFormats")
    void rowDecodesEveryBitPatternExactly(WeightFormat dtype) {
        MemorySegment seg = arena.allocate(2L * 65536);
        for (int i = 0; i < 65536; i++) seg.set(I16, 2L * i, (short) i);
        Tensor w = new Tensor("all", dtype, new long[] {2, 32768}, seg);
        float[] out = new float[32768];
        for (int r = 0; r < 2; r++) {
            Kernels.row(w, r, out);
            for (int c = 0; c < 32768; c++) {
                float expected = (float) element(w, (long) r * 32768 + c);
                if (Float.isNaN(expected)) assertThat(out[c]).as("bits %x", r * 32768 + c).isNaN();
                else assertThat(Float.floatToRawIntBits(out[c])).as("bits %x", r * 32768 + c).isEqualTo(Float.floatToRawIntBits(expected));
            }
        }
    }

    static List<WeightFormat> halfFormats() { return List.of(WeightFormat.F16, WeightFormat.BF16); }

    @Test
    void f16MatvecHandlesSubnormalWeights() {
        int cols = 67;
        MemorySegment seg = arena.allocate(2L * cols);
        for (int c = 0; c < cols; c++) seg.set(I16, 2L * c, (short) (c % 2 == 0 ? c : 0x8000 | (0x0400 + c)));
        Tensor w = new Tensor("w", WeightFormat.F16, new long[] {1, cols}, seg);
        float[] x = randomVector(cols);
        float[] out = new float[1];
        Kernels.matvec(w, x, out);
        assertDot(w, x, 0, 0, out[0]);
    }

    @Test
    void dotAndAxpyMatchLoops() {
        for (int n : new int[] {0, 1, 7, 16, 33, 100}) {
            float[] a = randomVector(n + 3), b = randomVector(n + 5);
            double expected = 0;
            for (int i = 0; i < n; i++) expected += (double) a[3 + i] * b[5 + i];
            assertThat((double) Kernels.dot(a, 3, b, 5, n)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4));
            float[] y = b.clone();
            Kernels.axpy(0.5f, a, 3, y, 5, n);
            for (int i = 0; i < n + 5; i++) {
                float want = i >= 5 ? b[i] + 0.5f * a[3 + i - 5] : b[i];
                assertThat(y[i]).isCloseTo(want, org.assertj.core.data.Offset.offset(1e-6f));
            }
        }
    }

    @Test
    void sumFloatsMatchesALoopAtAnyOffsetAndLength() {
        MemorySegment seg = arena.allocate(4L * 1000 + 4);
        double[] prefix = new double[1001];
        for (int i = 0; i < 1000; i++) {
            float v = (float) random.nextGaussian();
            seg.set(F32, 4 + 4L * i, v);
            prefix[i + 1] = prefix[i] + v;
        }
        for (int[] range : new int[][] {{0, 0}, {0, 1}, {3, 67}, {0, 1000}, {17, 983}}) {
            double expected = prefix[range[0] + range[1]] - prefix[range[0]];
            assertThat((double) Kernels.sumFloats(seg, 4 + 4L * range[0], range[1])).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-3));
        }
    }

    /** The prefill kernels of the SSD scan, the conv, SwiGLU and attention's row-vector softmax, at odd sizes, against their definitions. */
    @Test
    void prefillElementKernelsAgreeWithTheirDefinitions() {
        org.assertj.core.data.Offset<Float> close = org.assertj.core.data.Offset.offset(1e-5f);
        for (int n : new int[] {1, 7, 16, 37, 64, 131}) {
            // strided weighted rows: acc[d] += sum_j w[2 + j] * rows[5 + j * stride + d]
            int count = 11, stride = n + 9;
            float[] w = randomVector(count + 2), rows = randomVector(5 + count * stride + n), acc = randomVector(n), before = acc.clone();
            Kernels.addWeightedRows(w, 2, count, rows, 5, stride, n, acc, 0);
            for (int d = 0; d < n; d++) {
                double e = before[d];
                for (int j = 0; j < count; j++) e += (double) w[2 + j] * rows[5 + j * stride + d];
                assertThat(acc[d]).isCloseTo((float) e, close);
            }
            // products, silu, gated silu, SwiGLU, decayed weights
            float[] a = randomVector(n + 3), b = randomVector(n + 1), y = randomVector(n + 2), y0 = y.clone();
            Kernels.addProducts(a, 3, b, 1, y, 2, n);
            for (int i = 0; i < n; i++) assertThat(y[2 + i]).isCloseTo(y0[2 + i] + a[3 + i] * b[1 + i], close);
            float[] z = randomVector(n + 1), z0 = z.clone(), g = randomVector(n + 4), up = randomVector(n), up0 = up.clone();
            Kernels.silu(z, 1, n);
            for (int i = 0; i < n; i++) assertThat(z[1 + i]).isCloseTo(silu(z0[1 + i]), close);
            assertThat(z[0]).isEqualTo(z0[0]);
            Kernels.mulSilu(up, 0, g, 4, n);
            for (int i = 0; i < n; i++) assertThat(up[i]).isCloseTo(up0[i] * silu(g[4 + i]), close);
            float[] gate = randomVector(n * 300), prod = randomVector(n * 300), prod0 = prod.clone();
            Kernels.swiGlu(prod, gate, prod.length);
            for (int i = 0; i < prod.length; i++) assertThat(prod[i]).isCloseTo(prod0[i] * silu(gate[i]), close);
            float[] e = randomVector(n), out = new float[n];
            Kernels.decayedWeights(a, 3, 0.25f, e, b, out, 0, n);
            for (int i = 0; i < n; i++) assertThat(out[i]).isCloseTo((float) (a[3 + i] * Math.exp(0.25 - e[i]) * b[i]), close);
        }
    }

    /** The vector maximum of a range equals Math.max folded over it, at offsets and lengths off the vector lanes. */
    @Test
    void maxOfARangeEqualsTheScalarFold() {
        float[] a = randomVector(300);
        for (int from : new int[] {0, 1, 5}) {
            for (int to : new int[] {from, from + 1, from + 7, from + 16, from + 33, 300}) {
                float expected = Float.NEGATIVE_INFINITY;
                for (int j = from; j < to; j++) expected = Math.max(expected, a[j]);
                assertThat(Kernels.max(a, from, to)).as("[%d, %d)", from, to).isEqualTo(expected);
            }
        }
    }

    /** Four weighted-row sums at once: each equals its definition and, bit for bit, the one-output kernel's sum. */
    @Test
    void fourWeightedRowSumsEqualFourSingleOnes() {
        for (int n : new int[] {1, 7, 16, 37, 64, 131}) {
            int count = 13, stride = n + 5, wStride = count + 3, accStride = n + 2;
            float[] w = randomVector(1 + 4 * wStride), rows = randomVector(2 + count * stride + n);
            float[] acc = randomVector(3 + 4 * accStride), single = acc.clone(), before = acc.clone();
            Kernels.addWeightedRows4(w, 1, wStride, count, rows, 2, stride, n, acc, 3, accStride);
            for (int u = 0; u < 4; u++) {
                Kernels.addWeightedRows(w, 1 + u * wStride, count, rows, 2, stride, n, single, 3 + u * accStride);
                for (int d = 0; d < n; d++) {
                    double e = before[3 + u * accStride + d];
                    for (int j = 0; j < count; j++) e += (double) w[1 + u * wStride + j] * rows[2 + j * stride + d];
                    assertThat(acc[3 + u * accStride + d]).isCloseTo((float) e, org.assertj.core.data.Offset.offset(1e-5f));
                }
            }
            assertThat(acc).as("n = %d", n).containsExactly(single);
        }
    }

    private static float silu(float x) { return (float) (x / (1 + Math.exp(-x))); }

    @Test
    void broadcastProductAgreesWithItsDefinition() {
        int lanes = Kernels.lanes();
        for (int ni : new int[] {1, 3, 4, 9, 32}) {
            for (int w : new int[] {lanes, 3 * lanes, 4 * lanes}) {
                int nk = 13, si = 1, sk = ni + 2; // a read as [k, i]: the values' layout
                float[] a = randomVector(3 + nk * sk), b = randomVector(nk * w), c = randomVector(ni * w), c0 = c.clone();
                Kernels.broadcastProduct(a, 3, si, sk, ni, nk, b, w, c, true);
                for (int i = 0; i < ni; i++) {
                    for (int v = 0; v < w; v++) {
                        double e = c0[i * w + v];
                        for (int k = 0; k < nk; k++) e += (double) a[3 + i * si + k * sk] * b[k * w + v];
                        assertThat(c[i * w + v]).as("ni %d w %d (%d, %d)", ni, w, i, v).isCloseTo((float) e, org.assertj.core.data.Offset.offset(1e-4f));
                    }
                }
                int rowLength = nk + 1;
                float[] keys = randomVector(3 + ni * rowLength);
                Kernels.broadcastProduct(keys, 3, rowLength, 1, ni, nk, b, w, c, false); // a read as [i, k]: the keys' layout
                for (int i = 0; i < ni; i++) {
                    double e = 0;
                    for (int k = 0; k < nk; k++) e += (double) keys[3 + i * rowLength + k] * b[k * w + 1];
                    assertThat(c[i * w + 1]).isCloseTo((float) e, org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
        }
    }

    /**
     * Attention's scores both ways round: keys along the lanes with the query rows broadcast (a decoded token), and
     * query rows along the lanes with the keys broadcast (a prompt's tile), from keys stored [dim, key] as the cache
     * holds them. Each score must be the same FMA chain over the dimensions, equal to the last bit, or a prompt
     * would not leave the cache and logits that its tokens decoded one at a time do.
     */
    @Test
    void scoresAreTheSameWithKeysOrQueryRowsAlongTheLanes() {
        int lanes = Kernels.lanes(), keys = 2 * lanes, rows = lanes;
        for (int dims : new int[] {1, 7, 64, 128}) {
            float[] keysT = randomVector(dims * keys), queries = randomVector(rows * dims), queriesT = new float[dims * rows];
            for (int r = 0; r < rows; r++) for (int d = 0; d < dims; d++) queriesT[d * rows + r] = queries[r * dims + d];
            float[] byKeys = new float[rows * keys], byRows = new float[keys * rows];
            Kernels.broadcastProduct(queries, 0, dims, 1, rows, dims, keysT, keys, byKeys, false);
            Kernels.broadcastProduct(keysT, 0, 1, keys, keys, dims, queriesT, rows, byRows, false);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < keys; j++) {
                    assertThat(byRows[j * rows + r]).as("dims %d row %d key %d", dims, r, j).isEqualTo(byKeys[r * keys + j]);
                    double e = 0;
                    for (int d = 0; d < dims; d++) e += (double) queries[r * dims + d] * keysT[d * keys + j];
                    assertThat((double) byKeys[r * keys + j]).isCloseTo(e, org.assertj.core.data.Offset.offset(1e-4));
                }
            }
        }
    }

    /** Attention's row-vector softmax over two key blocks equals a plain softmax of each row's visible scores. */
    @Test
    void softmaxBlockOverRowsIsAMaskedOnlineSoftmax() {
        int w = 2 * Kernels.lanes(), dims = 3, keys = 20, block = 8;
        float[] scores = randomVector(keys * w);
        int[] lo = new int[w], hi = new int[w];
        for (int r = 0; r < w; r++) { lo[r] = r % 5; hi[r] = r % 3 == 0 ? -1 : Math.min(keys - 1, 4 + r); } // some rows see nothing
        float[] values = randomVector(keys * dims);
        float[] m = new float[w], l = new float[w], accT = new float[dims * w];
        Arrays.fill(m, Float.NEGATIVE_INFINITY);
        for (int b0 = 0; b0 < keys; b0 += block) {
            int count = Math.min(block, keys - b0);
            float[] s = Arrays.copyOfRange(scores, b0 * w, (b0 + count) * w);
            Kernels.softmaxBlock(s, count, w, b0, lo, hi, m, l, accT, dims);
            for (int d = 0; d < dims; d++) {
                for (int r = 0; r < w; r++) {
                    for (int j = 0; j < count; j++) accT[d * w + r] += s[j * w + r] * values[(b0 + j) * dims + d];
                }
            }
        }
        for (int r = 0; r < w; r++) {
            if (hi[r] < lo[r]) {
                assertThat(m[r]).isEqualTo(Float.NEGATIVE_INFINITY);
                assertThat(l[r]).isZero();
                continue;
            }
            double max = Double.NEGATIVE_INFINITY, total = 0;
            for (int j = lo[r]; j <= hi[r]; j++) max = Math.max(max, scores[j * w + r]);
            double[] out = new double[dims];
            for (int j = lo[r]; j <= hi[r]; j++) {
                double p = Math.exp(scores[j * w + r] - max);
                total += p;
                for (int d = 0; d < dims; d++) out[d] += p * values[j * dims + d];
            }
            assertThat((double) m[r]).isEqualTo(max);
            assertThat((double) l[r]).isCloseTo(total, org.assertj.core.data.Offset.offset(1e-5 * total));
            for (int d = 0; d < dims; d++) assertThat(accT[d * w + r] / l[r]).isCloseTo((float) (out[d] / total), org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void badArgumentsAreRejectedWithTheTensorName() {
        Tensor w = randomTensor(WeightFormat.BF16, 4, 8);
        assertThatThrownBy(() -> Kernels.matvec(w, new float[7], new float[4])).hasMessageContaining("w[4, 8]");
        assertThatThrownBy(() -> Kernels.row(w, 4, new float[8])).hasMessageContaining("row 4");
        assertThatThrownBy(() -> Kernels.matmul(w, new float[16], new float[4], 2)).hasMessageContaining("out has 4");
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void nestedAndConcurrentParallelCallsFinish() throws Exception {
        java.util.concurrent.atomic.AtomicLong total = new java.util.concurrent.atomic.AtomicLong();
        Runnable nested = () -> Parallel.forRange(64, 1, (s, e) -> {
            for (int i = s; i < e; i++) Parallel.forRange(100, 1, (s2, e2) -> total.addAndGet(e2 - s2));
        });
        java.util.List<Thread> callers = new java.util.ArrayList<>();
        for (int c = 0; c < 4; c++) callers.add(Thread.ofPlatform().start(nested));
        for (Thread t : callers) t.join();
        assertThat(total.get()).isEqualTo(4L * 64 * 100);
    }

    @Test
    void parallelForCoversEveryIndexOnce() {
        int n = 10_007;
        int[] hits = new int[n];
        Parallel.forRange(n, 10, (s, e) -> { for (int i = s; i < e; i++) hits[i]++; });
        for (int i = 0; i < n; i++) assertThat(hits[i]).isEqualTo(1);
        assertThatThrownBy(() -> Parallel.forRange(n, 10, (s, e) -> { if (s > 0) throw new IllegalStateException("boom"); }))
                .isInstanceOf(IllegalStateException.class).hasMessage("boom");
        // the fine split too: every index once, in at most 16 chunks a thread, and a chunk's failure rethrown
        int[] fine = new int[n];
        java.util.concurrent.atomic.AtomicInteger chunks = new java.util.concurrent.atomic.AtomicInteger();
        Parallel.forRangeFinely(n, 10, (s, e) -> { chunks.incrementAndGet(); for (int i = s; i < e; i++) fine[i]++; });
        for (int i = 0; i < n; i++) assertThat(fine[i]).isEqualTo(1);
        assertThat(chunks.get()).isBetween(Parallel.threads() == 1 ? 1 : 2, Parallel.threads() * Parallel.FINE_CHUNKS_PER_THREAD);
        assertThatThrownBy(() -> Parallel.forRangeFinely(n, 10, (s, e) -> { if (s > 0) throw new IllegalStateException("boom"); }))
                .isInstanceOf(IllegalStateException.class).hasMessage("boom");
    }
}

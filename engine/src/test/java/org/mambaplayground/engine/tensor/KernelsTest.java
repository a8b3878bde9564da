package org.mambaplayground.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The vector kernels against plain double-precision loops over independently decoded weights. */
class KernelsTest {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** rows x cols: odd sizes around the lane counts (4, 8, 16) and sizes big enough to run in parallel. */
    private static final int[][] SHAPES = {{1, 1}, {3, 7}, {5, 15}, {17, 33}, {2, 64}, {9, 37}, {130, 257}, {301, 515}, {64, 1024}};

    private final Arena arena = Arena.ofShared(); // kernels read from worker threads
    private final SplittableRandom random = new SplittableRandom(42);

    @AfterEach
    void close() { arena.close(); }

    /** A [rows, cols] tensor of random values stored in {@code dtype}, at a deliberately unaligned address. */
    private Tensor randomTensor(DType dtype, int rows, int cols) {
        long bytes = (long) rows * cols * dtype.bytes();
        MemorySegment seg = arena.allocate(bytes + 2, 64).asSlice(2, bytes);
        for (long i = 0; i < (long) rows * cols; i++) {
            float v = (float) random.nextGaussian();
            switch (dtype) {
                case F32 -> seg.set(F32, 4 * i, v);
                case BF16 -> seg.set(I16, 2 * i, (short) (Float.floatToRawIntBits(v) >>> 16));
                case F16 -> seg.set(I16, 2 * i, Float.floatToFloat16(v));
            }
        }
        return new Tensor("w", dtype, new long[] {rows, cols}, seg);
    }

    /** Independent decoding of element i (not Tensor.get, not the kernels). */
    private static double element(Tensor w, long i) {
        MemorySegment seg = w.data();
        return switch (w.dtype()) {
            case F32 -> seg.get(F32, 4 * i);
            case BF16 -> Float.intBitsToFloat((seg.get(I16, 2 * i) & 0xFFFF) << 16);
            case F16 -> Float.float16ToFloat(seg.get(I16, 2 * i));
        };
    }

    private float[] randomVector(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
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
    @EnumSource(DType.class)
    void matvecMatchesScalarLoop(DType dtype) {
        for (int[] shape : SHAPES) {
            Tensor w = randomTensor(dtype, shape[0], shape[1]);
            float[] x = randomVector(shape[1]);
            float[] out = new float[shape[0]];
            Kernels.matvec(w, x, out);
            for (int r = 0; r < shape[0]; r++) assertDot(w, x, 0, r, out[r]);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void matmulMatchesScalarLoopForEveryTokenCount(DType dtype) {
        for (int[] shape : SHAPES) {
            for (int n : new int[] {1, 2, 3, 4, 5, 8, 11}) {
                Tensor w = randomTensor(dtype, shape[0], shape[1]);
                float[] x = randomVector(n * shape[1]);
                float[] out = new float[n * shape[0]];
                Kernels.matmul(w, x, out, n);
                for (int t = 0; t < n; t++) {
                    for (int r = 0; r < shape[0]; r++) assertDot(w, x, t * shape[1], r, out[t * shape[0] + r]);
                }
            }
        }
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
    @EnumSource(value = DType.class, names = {"F16", "BF16"})
    void rowDecodesEveryBitPatternExactly(DType dtype) {
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

    @Test
    void f16MatvecHandlesSubnormalWeights() {
        int cols = 67;
        MemorySegment seg = arena.allocate(2L * cols);
        for (int c = 0; c < cols; c++) seg.set(I16, 2L * c, (short) (c % 2 == 0 ? c : 0x8000 | (0x0400 + c)));
        Tensor w = new Tensor("w", DType.F16, new long[] {1, cols}, seg);
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

    @Test
    void badArgumentsAreRejectedWithTheTensorName() {
        Tensor w = randomTensor(DType.BF16, 4, 8);
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
    }
}

package org.mambaplayground.engine.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.DoubleAdder;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.tensor.Kernels;
import org.mambaplayground.engine.tensor.Parallel;

/**
 * The machine's memory read bandwidth as our kernels can use it: a Vector API sum over a buffer far
 * larger than any cache, on the same threads the kernels use. This is the ceiling decode speed is
 * compared against (decode of a large model reads every weight once per token).
 */
public final class MemoryBandwidth {
    /** Bytes summed per task: large enough that hand-out costs nothing, small enough to balance. */
    private static final long BLOCK = 4L << 20;

    private MemoryBandwidth() {}

    /** Best read bandwidth in bytes per second over {@code repeats} passes over a {@code bufferBytes} buffer. */
    public static double measure(long bufferBytes, int repeats, CancellationToken cancel) {
        return passes(bufferBytes, repeats, cancel).stream().mapToDouble(d -> d).max().orElse(0);
    }

    /** Read bandwidth in bytes per second of each of {@code repeats} passes over a {@code bufferBytes} buffer. */
    public static java.util.List<Double> passes(long bufferBytes, int repeats, CancellationToken cancel) {
        long blocks = Math.max(1, bufferBytes / BLOCK);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(blocks * BLOCK, 64);
            // Write every page first so the reads below measure memory, not page faults.
            Parallel.forRange((int) blocks, 1, (start, end) -> {
                for (int b = start; b < end; b++) buffer.asSlice(b * BLOCK, BLOCK).fill((byte) 1);
            });
            java.util.List<Double> passes = new java.util.ArrayList<>();
            DoubleAdder sink = new DoubleAdder(); // publishing the sums keeps the JIT from dropping the reads
            for (int r = 0; r < repeats; r++) {
                if (cancel.isCancelled()) throw new CancellationException("bandwidth measurement cancelled");
                long t0 = System.nanoTime();
                Parallel.forRange((int) blocks, 1, (start, end) -> {
                    float s = 0;
                    for (int b = start; b < end; b++) s += Kernels.sumFloats(buffer, b * BLOCK, BLOCK / 4);
                    sink.add(s);
                });
                long ns = System.nanoTime() - t0;
                passes.add(blocks * BLOCK / (ns / 1e9));
            }
            return passes;
        }
    }
}

package org.mambaplayground.engine.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.DoubleAdder;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.tensor.Kernels;
import org.mambaplayground.engine.tensor.Parallel;

/**
 * The machine's float multiply-add peak as our kernels can reach it: independent Vector API FMA chains on all
 * the kernel threads, with nothing read from memory. This is the ceiling prefill's matrix FLOPs are set against,
 * as {@link MemoryBandwidth} is decode's.
 */
public final class FmaPeak {
    /** Vector FMAs per task: a few milliseconds, so hand-out and timer costs vanish. */
    private static final long FMAS_PER_TASK = 1L << 24;
    /** Tasks per thread and pass: enough that a core slowed by other work takes fewer. */
    private static final int TASKS_PER_THREAD = 4;

    private FmaPeak() {}

    /** FLOP/s (two per lane per FMA) of each of {@code repeats} timed passes, after one untimed warm-up pass. */
    public static List<Double> passes(int repeats, CancellationToken cancel) {
        int tasks = Parallel.threads() * TASKS_PER_THREAD;
        DoubleAdder sink = new DoubleAdder(); // publishing the results keeps the JIT from dropping the loop
        List<Double> passes = new ArrayList<>();
        for (int r = -1; r < repeats; r++) {
            if (cancel.isCancelled()) throw new CancellationException("FMA peak measurement cancelled");
            long t0 = System.nanoTime();
            Parallel.forRange(tasks, 1, (start, end) -> {
                for (int t = start; t < end; t++) sink.add(Kernels.fmaChains(FMAS_PER_TASK));
            });
            long ns = System.nanoTime() - t0;
            if (r >= 0) passes.add(tasks * flopsPerTask() / (ns / 1e9));
        }
        return passes;
    }

    static double flopsPerTask() { return 2.0 * Kernels.lanes() * FMAS_PER_TASK; }
}

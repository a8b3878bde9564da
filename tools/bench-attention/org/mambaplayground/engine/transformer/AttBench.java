package org.mambaplayground.engine.transformer;

import java.lang.foreign.*;
import java.util.*;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * Decode attention of one layer of the 1 GB transformer bench model (16 query heads, 4 KV heads of 128) over a
 * cache of 128, 1,024 and 4,096 random keys in the given format: median microseconds per call (after a warm-up
 * at 4,096 keys). A second argument, a layer count, attends that many layers in turn as a decode step does and
 * prints the time per layer (their caches together outgrow the CPU's, one layer's does not). It lives in the
 * engine's package (the cache and attention are package-private): see run.sh.
 */
public class AttBench {
    public static void main(String[] a) {
        WeightFormat f = WeightFormat.named(a.length > 0 ? a[0] : "F16").get();
        int layers = a.length > 1 ? Integer.parseInt(a[1]) : 1;
        TransformerConfig c = new TransformerConfig(2048, layers, 128, 7168, 16, 4, 1e-5, 4096, 1e6, 0, 0);
        Random r = new Random(1);
        for (int ctx : new int[]{4096, 128, 1024, 4096}) {
            KvCacheState cache = new KvCacheState(c, f);
            cache.reserve(ctx + 1);
            float[] kv = new float[c.kvDim()];
            MemorySegment k = Arena.ofAuto().allocate(f.bytes(c.kvDim())), v = Arena.ofAuto().allocate(f.bytes(c.kvDim()));
            for (int p = 0; p < ctx; p++) {
                for (int i = 0; i < kv.length; i++) kv[i] = (float) r.nextGaussian();
                f.encode(kv, 0, k, 0, kv.length);
                for (int i = 0; i < kv.length; i++) kv[i] = (float) r.nextGaussian();
                f.encode(kv, 0, v, 0, kv.length);
                for (int l = 0; l < layers; l++) cache.put(l, p, k, v, 0);
            }
            cache.position = ctx;
            float[] q = new float[c.qDim()];
            for (int i = 0; i < q.length; i++) q[i] = (float) r.nextGaussian();
            CausalAttention[] att = new CausalAttention[layers];
            for (int l = 0; l < layers; l++) att[l] = new CausalAttention(c, l);
            double[] times = new double[(ctx == 4096 ? 600 : 2000) / layers];
            float s = 0;
            for (int rep = 0; rep < times.length; rep++) {
                long t0 = System.nanoTime();
                for (CausalAttention layer : att) s += layer.attend(q, k, v, 1, ctx, cache)[0];
                times[rep] = (System.nanoTime() - t0) / 1e3 / layers;
            }
            Arrays.sort(times, times.length / 3, times.length);
            double kvBytes = 2.0 * ctx * f.bytes(c.kvDim());
            System.out.printf("%s ctx %d: median %.1f us per layer (%.2f GB/s of KV)  %s%n", f, ctx, times[times.length * 2 / 3], kvBytes / times[times.length * 2 / 3] / 1e3, s == 42 ? "" : "");
        }
    }
}

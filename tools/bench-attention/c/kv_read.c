/*
 * tools/bench-attention/KvRead.java's "sum" walk in C: an F16 KV cache of 4,096 tokens (8 layers, 4 KV heads of
 * 128, head-major blocks of 32 tokens allocated one by one), read per layer, KV head and block in 8 KB runs with
 * AVX-512 loads on one thread: the time the walk itself needs. Milliseconds per token, median of 20 (as KvRead.java).
 *   gcc -O2 -march=native tools/bench-attention/c/kv_read.c -o /tmp/kv_read && /tmp/kv_read
 */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { LAYERS = 8, BLOCKS = 128, HEADS = 4, RUN_BYTES = 32 * 128 * 2 };

static int cmp(const void *x, const void *y) { double a = *(const double *) x, b = *(const double *) y; return (a > b) - (a < b); }

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

int main(void) {
    size_t block_bytes = (size_t) RUN_BYTES * HEADS;
    char *keys[LAYERS * BLOCKS], *values[LAYERS * BLOCKS];
    for (int i = 0; i < LAYERS * BLOCKS; i++) {
        keys[i] = aligned_alloc(64, block_bytes);
        values[i] = aligned_alloc(64, block_bytes);
        memset(keys[i], 0x31, block_bytes);
        memset(values[i], 0x32, block_bytes);
    }
    double times[20];
    float check = 0;
    for (int it = 0; it < 20; it++) {
        double t0 = now();
        __m512 a = _mm512_setzero_ps(), b = a;
        for (int l = 0; l < LAYERS; l++)
            for (int h = 0; h < HEADS; h++)
                for (int bl = 0; bl < BLOCKS; bl++) {
                    const float *k = (const float *) (keys[l * BLOCKS + bl] + h * RUN_BYTES);
                    const float *v = (const float *) (values[l * BLOCKS + bl] + h * RUN_BYTES);
                    for (int i = 0; i < RUN_BYTES / 4; i += 16) {
                        a = _mm512_add_ps(a, _mm512_loadu_ps(k + i));
                        b = _mm512_add_ps(b, _mm512_loadu_ps(v + i));
                    }
                }
        check += _mm512_reduce_add_ps(_mm512_add_ps(a, b));
        times[it] = now() - t0;
    }
    qsort(times, 20, sizeof(double), cmp);
    double median = times[10];
    printf("C sum: %.2f ms per token (median), %.1f GB/s (check %d)\n", median * 1e3,
           2.0 * LAYERS * BLOCKS * block_bytes / median / 1e9, check != 0);
    return 0;
}

/*
 * The Q4_0 row dot of Q4_0Format.dot written in C with AVX-512 intrinsics, the same algorithm (nibbles made floats
 * by the 2^23 bit trick, one block an iteration, the block's F16 scale broadcast), on a 256 x 2048 matrix that stays
 * in cache: the ceiling our Java kernel is compared with. Also one variant with the scales already in floats.
 *   gcc -O2 -march=native tools/bench-matmul/c/q4_0_dot.c -o /tmp/q4_0_dot && /tmp/q4_0_dot
 */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define COLS 2048
#define ROWS 256
#define BLOCKS (COLS / 32)

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static inline __m512 block_sum(const uint8_t *o, const float *x) {
    const __m512i low = _mm512_set1_epi32(0xF), bias = _mm512_set1_epi32(0x4B000000);
    const __m512 eight = _mm512_set1_ps(8388616.f); /* 2^23 + 8 */
    __m512i p = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *) (o + 2)));
    __m512 lo = _mm512_sub_ps(_mm512_castsi512_ps(_mm512_or_si512(_mm512_and_si512(p, low), bias)), eight);
    __m512 hi = _mm512_sub_ps(_mm512_castsi512_ps(_mm512_or_si512(_mm512_srli_epi32(p, 4), bias)), eight);
    return _mm512_fmadd_ps(hi, _mm512_loadu_ps(x + 16), _mm512_mul_ps(lo, _mm512_loadu_ps(x)));
}

__attribute__((noinline)) static float dot_f16_scales(const uint8_t *w, const float *x) {
    __m512 acc = _mm512_setzero_ps();
    for (int b = 0; b < BLOCKS; b++) {
        const uint8_t *o = w + b * 18;
        acc = _mm512_fmadd_ps(block_sum(o, x + b * 32), _mm512_set1_ps(_cvtsh_ss(*(const uint16_t *) o)), acc);
    }
    return _mm512_reduce_add_ps(acc);
}

__attribute__((noinline)) static float dot_float_scales(const uint8_t *w, const float *scales, const float *x) {
    __m512 acc = _mm512_setzero_ps();
    for (int b = 0; b < BLOCKS; b++) acc = _mm512_fmadd_ps(block_sum(w + b * 18, x + b * 32), _mm512_set1_ps(scales[b]), acc);
    return _mm512_reduce_add_ps(acc);
}

int main(void) {
    uint8_t *w = malloc(ROWS * BLOCKS * 18);
    float *scales = malloc(ROWS * BLOCKS * sizeof(float)), *x = malloc(COLS * sizeof(float));
    srand(1);
    for (int i = 0; i < ROWS * BLOCKS * 18; i++) w[i] = rand();
    for (int i = 0; i < ROWS * BLOCKS; i++) {
        *(uint16_t *) (w + i * 18) = _cvtss_sh((float) rand() / RAND_MAX, 0);
        scales[i] = _cvtsh_ss(*(uint16_t *) (w + i * 18));
    }
    for (int i = 0; i < COLS; i++) x[i] = (float) rand() / RAND_MAX - 0.5f;
    for (int variant = 0; variant < 2; variant++) {
        double best = 0;
        float check = 0;
        for (int it = 0; it < 50; it++) {
            double t0 = now();
            for (int q = 0; q < 20; q++)
                for (int r = 0; r < ROWS; r++)
                    check += variant == 0 ? dot_f16_scales(w + r * BLOCKS * 18, x)
                                          : dot_float_scales(w + r * BLOCKS * 18, scales + r * BLOCKS, x);
            double gw = (double) ROWS * COLS * 20 / (now() - t0) / 1e9;
            if (gw > best) best = gw;
        }
        printf("C Q4_0 dot, %s: %.2f G weights/s (best of 50; checksum %g)\n",
               variant == 0 ? "F16 scales (as GGML stores them)" : "scales already floats", best, check);
    }
    return 0;
}

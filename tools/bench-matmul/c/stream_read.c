/*
 * How fast this machine streams memory, in C: the first 800 MB of FILE summed with AVX-512 loads by 1 and by 2
 * threads (each its half), as mmapped (4 KB pages), after madvise(MADV_HUGEPAGE) on the mapping, from anonymous
 * memory with 4 KB pages and with transparent huge pages. Best of 7 passes each, GB/s. FILE: any file of 800 MB
 * or more already in the page cache, e.g. the bench model's consolidated.safetensors.
 *   gcc -O2 -march=native -pthread tools/bench-matmul/c/stream_read.c -o /tmp/stream_read && \
 *     /tmp/stream_read /tmp/mamba-playground-bench/transformer-1000MB-bf16/consolidated.safetensors
 */
#include <fcntl.h>
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define BYTES (800ull << 20)
#define HUGE (2ull << 20)

typedef struct { const char *from; size_t bytes; float sum; } part;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static void *sum_part(void *arg) {
    part *p = arg;
    const float *f = (const float *) p->from;
    __m512 a = _mm512_setzero_ps(), b = a;
    for (size_t i = 0; i < p->bytes / 4; i += 32) {
        a = _mm512_add_ps(a, _mm512_loadu_ps(f + i));
        b = _mm512_add_ps(b, _mm512_loadu_ps(f + i + 16));
    }
    p->sum = _mm512_reduce_add_ps(_mm512_add_ps(a, b));
    return NULL;
}

static double gbps(const char *mem, int threads) {
    double best = 0;
    for (int it = 0; it < 7; it++) {
        pthread_t t[2];
        part parts[2];
        double t0 = now();
        for (int k = 0; k < threads; k++) {
            parts[k] = (part) {mem + k * (BYTES / threads), BYTES / threads, 0};
            pthread_create(&t[k], NULL, sum_part, &parts[k]);
        }
        for (int k = 0; k < threads; k++) pthread_join(t[k], NULL);
        double g = BYTES / (now() - t0) / 1e9;
        if (g > best) best = g;
    }
    return best;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s FILE (800 MB or more)\n", argv[0]); return 2; }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0 || lseek(fd, 0, SEEK_END) < (off_t) BYTES) { fprintf(stderr, "%s: missing or under 800 MB\n", argv[1]); return 2; }
    char *file = mmap(NULL, BYTES, PROT_READ, MAP_SHARED, fd, 0);
    printf("mmapped file, 4 KB pages:   1 thread %.1f GB/s, 2 threads %.1f GB/s\n", gbps(file, 1), gbps(file, 2));
    madvise(file, BYTES, MADV_HUGEPAGE);
    printf("mmapped file, MADV_HUGEPAGE: 1 thread %.1f GB/s, 2 threads %.1f GB/s\n", gbps(file, 1), gbps(file, 2));
    char *anon = mmap(NULL, BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(anon, 1, BYTES);
    printf("anonymous, 4 KB pages:      1 thread %.1f GB/s, 2 threads %.1f GB/s\n", gbps(anon, 1), gbps(anon, 2));
    char *raw = mmap(NULL, BYTES + HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *huge = (char *) (((size_t) raw + HUGE - 1) & ~(HUGE - 1));
    madvise(huge, BYTES, MADV_HUGEPAGE);
    memset(huge, 1, BYTES);
    printf("anonymous, huge pages:      1 thread %.1f GB/s, 2 threads %.1f GB/s\n", gbps(huge, 1), gbps(huge, 2));
    return 0;
}

/* account_bench.c — how fast argon2id runs with the parameters of password.h.
 *
 * Three measurements through password_hash/password_verify (so the concurrency
 * gate is included): hashes one after another on one thread; the same spread over
 * two threads (the throughput of a 2-core server, in logins per second); and a
 * burst of 8 logins arriving at the same moment (how long the last one waits).
 *
 *   gcc -O2 -std=c17 -D_GNU_SOURCE -Isrc bench/account_bench.c \
 *       src/modules/account/password.c src/core/utf8.c -lsodium -lpthread
 *   ./a.out [hashes per thread, default 20]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sodium.h>

#include "modules/account/password.h"

#define BURST 8 /* logins arriving at once */

static const char bench_password[] = "Ein Benchmark-Passwort 2024";
static char stored_hash[PASSWORD_HASH_MAX]; /* what the verifying threads check against */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct job {
    int hashes;               /* password_hash calls to make */
    int failed;               /* set when one did not return 0 */
    double finished;          /* now_seconds() when done (burst) */
    pthread_barrier_t *start; /* burst: all threads begin together; NULL otherwise */
} job_t;

static void *hash_loop(void *arg)
{
    job_t *job = arg;
    char hash[PASSWORD_HASH_MAX];
    for (int i = 0; i < job->hashes; i++)
        if (password_hash(bench_password, hash) != 0)
            job->failed = 1;
    return NULL;
}

static void *verify_once(void *arg)
{
    job_t *job = arg;
    pthread_barrier_wait(job->start);
    if (password_verify(stored_hash, bench_password) != 0)
        job->failed = 1;
    job->finished = now_seconds();
    return NULL;
}

/* Runs `threads` threads of hash_loop with `per_thread` hashes each; returns the
 * wall time in seconds, or -1 when a hash failed. */
static double run_parallel(int threads, int per_thread)
{
    pthread_t tid[2];
    job_t jobs[2] = {{.hashes = per_thread}, {.hashes = per_thread}};
    double t0 = now_seconds();
    for (int i = 0; i < threads; i++)
        if (pthread_create(&tid[i], NULL, hash_loop, &jobs[i]) != 0)
            return -1;
    for (int i = 0; i < threads; i++)
        pthread_join(tid[i], NULL);
    double elapsed = now_seconds() - t0;
    for (int i = 0; i < threads; i++)
        if (jobs[i].failed)
            return -1;
    return elapsed;
}

int main(int argc, char **argv)
{
    int per_thread = argc > 1 ? atoi(argv[1]) : 20; /* hashes per thread */
    if (per_thread < 1 || per_thread > 10000) {
        fprintf(stderr, "usage: %s [hashes per thread, 1..10000]\n", argv[0]);
        return 2;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "account_bench: sodium_init failed\n");
        return 1;
    }
    /* Warm-up: the first hash pays for page faults of the 64 MiB block. */
    if (password_hash(bench_password, stored_hash) != 0) {
        fprintf(stderr, "account_bench: password_hash failed\n");
        return 1;
    }

    double one = run_parallel(1, per_thread);
    double two = run_parallel(2, per_thread);
    if (one < 0 || two < 0) {
        fprintf(stderr, "account_bench: password_hash failed\n");
        return 1;
    }
    double ms_per_hash = one * 1000.0 / per_thread;
    double logins_1 = per_thread / one;
    double logins_2 = 2.0 * per_thread / two;

    /* The burst: BURST verifications released at once, as when a class of
     * trainees logs in together; the gate lets PASSWORD_MAX_PARALLEL run. */
    pthread_t tid[BURST];
    job_t jobs[BURST];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, BURST + 1);
    for (int i = 0; i < BURST; i++) {
        jobs[i] = (job_t){.start = &start};
        if (pthread_create(&tid[i], NULL, verify_once, &jobs[i]) != 0) {
            fprintf(stderr, "account_bench: pthread_create failed\n");
            return 1;
        }
    }
    double t0 = now_seconds();
    pthread_barrier_wait(&start);
    double last = 0; /* seconds until the slowest login of the burst was done */
    double first = 1e9;
    for (int i = 0; i < BURST; i++) {
        pthread_join(tid[i], NULL);
        if (jobs[i].failed) {
            fprintf(stderr, "account_bench: password_verify failed\n");
            return 1;
        }
        double took = jobs[i].finished - t0;
        last = took > last ? took : last;
        first = took < first ? took : first;
    }
    pthread_barrier_destroy(&start);

    printf("argon2id t=%u m=%u MiB: %.1f ms per hash, %.1f logins/s on 2 cores\n", PASSWORD_OPSLIMIT,
           PASSWORD_MEMLIMIT / (1024u * 1024u), ms_per_hash, logins_2);
    printf("  1 thread: %.1f logins/s (%d hashes in %.2f s); 2 threads: %d hashes in %.2f s\n", logins_1, per_thread,
           one, 2 * per_thread, two);
    printf("  burst of %d logins at once (at most %d hashing): first done after %.0f ms, last after %.0f ms\n", BURST,
           PASSWORD_MAX_PARALLEL, first * 1000.0, last * 1000.0);
    return 0;
}

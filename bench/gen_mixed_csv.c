/*
 * gen_mixed_csv.c — a seeded, reproducible mixed CSV for benchmarks.
 *
 * ROWS rows × 20 columns: id; six floats (about 5% missing, some written
 * "NA"); three ints; two booleans (True/False); three low-cardinality
 * categories; three free strings, some quoted with commas, doubled quotes
 * and line breaks; an ISO date and an ISO datetime (some missing).
 * The same ROWS and SEED always give the same bytes.
 *
 * Usage: gen_mixed_csv ROWS OUT.csv [SEED]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state;

static uint64_t next(void) /* xorshift64* */
{
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 2685821657736338717ULL;
}

static double unit(void)
{
    return (double)(next() >> 11) / 9007199254740992.0;
}

static const char *const cities[] = {"Paris",  "Berlin", "Rome",   "Madrid",
                                     "Lisbon", "Vienna", "Prague", "Oslo"};
static const char *const grades[] = {"A", "B", "C", "D", "E"};
static const char *const colors[] = {"red",   "green", "blue",   "cyan",   "magenta", "yellow",
                                     "black", "white", "orange", "purple", "brown",   "grey"};
static const char *const words[] = {"alpha", "beta",  "gamma", "delta", "epsilon", "zeta",
                                    "eta",   "theta", "iota",  "kappa", "lambda",  "mu"};

static void put_float(FILE *f, double scale)
{
    uint64_t r = next() % 100;
    if (r < 4) return; /* empty: missing */
    if (r == 4)
        fputs("NA", f); /* an NA spelling */
    else
        fprintf(f, "%.6g", (unit() - 0.3) * scale);
}

static void put_text(FILE *f)
{
    uint64_t r = next() % 20;
    const char *a = words[next() % 12], *b = words[next() % 12];
    if (r == 0)
        fprintf(f, "\"%s, %s\"", a, b); /* separator inside */
    else if (r == 1)
        fprintf(f, "\"say \"\"%s\"\"\"", a); /* escaped quotes */
    else if (r == 2)
        fprintf(f, "\"%s\n%s\"", a, b); /* line break inside */
    else
        fprintf(f, "%s-%s-%" PRIu64, a, b, next() % 100000);
}

static void put_row(FILE *f, uint64_t i)
{
    fprintf(f, "%" PRIu64, i);
    for (int k = 0; k < 6; k++) {
        fputc(',', f);
        put_float(f, k == 0 ? 1.0 : k * 1000.0);
    }
    fprintf(f, ",%" PRId64 ",%" PRIu64 ",%" PRId64, (int64_t)(next() % 2000001) - 1000000,
            next() % 100, (int64_t)(next() % 10000000000ULL));
    fprintf(f, ",%s,%s", next() % 3 ? "True" : "False", next() % 2 ? "True" : "False");
    fprintf(f, ",%s,%s,%s", cities[next() % 8], grades[next() % 5], colors[next() % 12]);
    for (int k = 0; k < 3; k++) {
        fputc(',', f);
        put_text(f);
    }
    uint64_t d = next() % 3650;
    fprintf(f, ",%04d-%02d-%02d", 2015 + (int)(d / 365), 1 + (int)(d / 28 % 12), 1 + (int)(d % 28));
    if (next() % 50)
        fprintf(f, ",%04d-%02d-%02dT%02d:%02d:%02d", 2020 + (int)(d % 5), 1 + (int)(d % 12),
                1 + (int)(d % 28), (int)(next() % 24), (int)(next() % 60), (int)(next() % 60));
    else
        fputc(',', f);
    fputc('\n', f);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gen_mixed_csv ROWS OUT.csv [SEED]\n");
        return 2;
    }
    uint64_t rows = strtoull(argv[1], NULL, 10);
    state = argc > 3 ? strtoull(argv[3], NULL, 10) * 2654435761ULL + 1 : 0x9E3779B97F4A7C15ULL;
    FILE *f = fopen(argv[2], "w");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    fputs("id,f1,f2,f3,f4,f5,f6,i1,i2,i3,b1,b2,city,grade,color,s1,s2,s3,day,ts\n", f);
    for (uint64_t i = 0; i < rows; i++)
        put_row(f, i);
    if (fclose(f) != 0) {
        perror(argv[2]);
        return 1;
    }
    return 0;
}

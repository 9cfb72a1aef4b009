/*
 * gen_numeric_csv.c — a seeded, reproducible numeric-heavy CSV for benchmarks
 * (issue 14's second `data describe` file).
 *
 * ROWS rows × 20 columns: fourteen floats (x1..x14; about 3% missing, some of
 * those written "NA"; magnitudes from 1e-3 to 1e6, 3 to 8 significant
 * digits, a few in exponent notation), four low-cardinality strings (region,
 * segment, channel, tier), an ISO date and an int target (0/1).
 * About 150 bytes a row: 1M rows make a ~150 MB file.
 * The same ROWS and SEED always give the same bytes.
 *
 * Usage: gen_numeric_csv ROWS OUT.csv [SEED]
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

static const char *const regions[] = {"north", "south", "east", "west", "central"};
static const char *const segments[] = {"consumer", "corporate", "home_office"};
static const char *const channels[] = {"web", "store", "phone", "partner", "mail", "app"};
static const char *const tiers[] = {"bronze", "silver", "gold", "platinum"};

/* Column k's value: scale and precision vary by column so that the parser
 * sees short and long mantissas, negative values and exponents. */
static void put_float(FILE *f, int k, double *score)
{
    uint64_t r = next() % 100;
    if (r < 3) {
        if (r == 0) fputs("NA", f);
        return; /* empty or NA: missing */
    }
    static const double scale[14] = {1,   10,   100,  1000, 1e4, 1e5, 1e6,
                                     0.1, 0.01, 1e-3, 50,   250, 3e3, 7.5e4};
    static const int digits[14] = {6, 5, 7, 4, 8, 3, 6, 5, 6, 4, 7, 5, 6, 8};
    double v = (unit() - 0.35) * scale[k];
    *score += v / scale[k];
    if (k == 13 && next() % 10 == 0)
        fprintf(f, "%.*e", digits[k] - 1, v); /* exponent notation */
    else
        fprintf(f, "%.*g", digits[k], v);
}

static void put_row(FILE *f)
{
    double score = 0;
    for (int k = 0; k < 14; k++) {
        if (k) fputc(',', f);
        put_float(f, k, &score);
    }
    fprintf(f, ",%s,%s,%s,%s", regions[next() % 5], segments[next() % 3], channels[next() % 6],
            tiers[next() % 4]);
    uint64_t d = next() % 3650;
    fprintf(f, ",%04d-%02d-%02d", 2015 + (int)(d / 365), 1 + (int)(d / 28 % 12), 1 + (int)(d % 28));
    fprintf(f, ",%d\n", score + (unit() - 0.5) * 2 > 0.5);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gen_numeric_csv ROWS OUT.csv [SEED]\n");
        return 2;
    }
    uint64_t rows = strtoull(argv[1], NULL, 10);
    state = argc > 3 ? strtoull(argv[3], NULL, 10) * 2654435761ULL + 1 : 0x9E3779B97F4A7C15ULL;
    FILE *f = fopen(argv[2], "w");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    fputs("x1,x2,x3,x4,x5,x6,x7,x8,x9,x10,x11,x12,x13,x14,region,segment,channel,tier,day,target\n",
          f);
    for (uint64_t i = 0; i < rows; i++)
        put_row(f);
    if (fclose(f) != 0) {
        perror(argv[2]);
        return 1;
    }
    return 0;
}

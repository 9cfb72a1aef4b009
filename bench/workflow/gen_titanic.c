/*
 * gen_titanic.c — seeded titanic-style passenger lists for the workflow
 * benchmark (bench/workflow/run.sh).
 *
 * Writes three files into OUTDIR, with the columns and value spellings of
 * examples/quickstart/classification/titanic/data/:
 *   train.csv        TRAIN rows: passenger_id, survived, pclass, sex, age
 *                    (about 20% missing), sibsp, parch, fare, embarked, class,
 *                    who, adult_male, deck (mostly missing), embark_town,
 *                    alive, alone
 *   eval.csv         EVAL rows, the same without survived and alive
 *   eval_labels.csv  passenger_id, survived of the eval rows
 * Survival is drawn from a logistic model of sex, class, age, fare and family
 * size (with a sex × class interaction), so there is something to learn.
 * The same arguments always give the same bytes.
 *
 * Usage: gen_titanic TRAIN_ROWS EVAL_ROWS OUTDIR [SEED]
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;

static uint64_t next(void) /* xorshift64* */
{
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 2685821657736338717ULL;
}

static double unit(void) /* [0, 1) */
{
    return (double)(next() >> 11) / 9007199254740992.0;
}

static double normal(void) /* Box–Muller, one of the pair */
{
    double u = unit(), v = unit();
    return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

/* Index drawn from cumulative weights (the last one must be 1). */
static int pick(const double *cum)
{
    double u = unit();
    int i = 0;
    while (u >= cum[i])
        i++;
    return i;
}

typedef struct passenger {
    int pclass, male, sibsp, parch, port, survived;
    double age; /* NAN: missing */
    double fare;
    char deck; /* 0: missing */
} passenger;

static const char *const class_names[] = {"First", "Second", "Third"};
static const char *const port_codes[] = {"S", "C", "Q"};
static const char *const port_towns[] = {"Southampton", "Cherbourg", "Queenstown"};

static void draw_age(passenger *p)
{
    static const double missing[] = {0.10, 0.12, 0.26}; /* by class, ~20% overall */
    static const double mean[] = {38.0, 30.0, 25.0};
    if (unit() < missing[p->pclass - 1]) {
        p->age = NAN;
        return;
    }
    double a = unit() < 0.08 ? 1.0 + unit() * 13.0 : mean[p->pclass - 1] + 13.0 * normal();
    if (a < 0.42) a = 0.42;
    if (a > 80.0) a = 80.0;
    p->age = a < 1.0 ? round(a * 100.0) / 100.0 : round(a * 2.0) / 2.0;
}

static void draw_deck(passenger *p)
{
    static const double has_deck[] = {0.80, 0.08, 0.03}; /* ~78% missing overall */
    static const char *const decks[] = {"ABCDET", "DEF", "EFG"};
    static const double cum[3][6] = {
        {0.09, 0.35, 0.68, 0.85, 0.99, 1.0}, {0.3, 0.7, 1.0}, {0.3, 0.7, 1.0}};
    int c = p->pclass - 1;
    p->deck = unit() < has_deck[c] ? decks[c][pick(cum[c])] : 0;
}

static void draw_fare(passenger *p)
{
    static const double mu[] = {4.1, 2.9, 2.2}, sigma[] = {0.7, 0.4, 0.45};
    if (unit() < 0.01) {
        p->fare = 0.0; /* crew and guests travelled free */
        return;
    }
    int family = p->sibsp + p->parch + 1;
    double f =
        exp(mu[p->pclass - 1] + sigma[p->pclass - 1] * normal()) * (1.0 + 0.35 * (family - 1));
    p->fare = round(f * 10000.0) / 10000.0;
}

/* Survival from a logistic model; the interaction makes trees worth it. */
static void draw_survival(passenger *p)
{
    static const double class_effect[] = {0.0, -0.9, -1.9};
    int family = p->sibsp + p->parch + 1;
    double z = 1.8 + class_effect[p->pclass - 1] + (p->male ? -2.6 : 0.0);
    if (!p->male && p->pclass == 3) z -= 0.8;
    if (!isnan(p->age)) {
        z -= 0.025 * (p->age - 30.0);
        if (p->age < 10.0) z += 1.3;
    } else {
        z -= 0.3;
    }
    z += 0.3 * log1p(p->fare) - 0.6;
    if (family > 4) z -= 1.6;
    if (family == 1) z -= 0.2;
    if (p->deck) z += 0.4;
    if (p->port == 1) z += 0.3;
    p->survived = unit() < 1.0 / (1.0 + exp(-z));
}

static void draw(passenger *p)
{
    static const double cls[] = {0.24, 0.45, 1.0};
    static const double sib[] = {0.68, 0.91, 0.94, 0.962, 0.98, 0.99, 1.0};
    static const int sib_val[] = {0, 1, 2, 3, 4, 5, 8};
    static const double par[] = {0.76, 0.89, 0.98, 0.985, 0.99, 0.995, 1.0};
    static const double port[] = {0.72, 0.91, 1.0};
    memset(p, 0, sizeof *p);
    p->pclass = 1 + pick(cls);
    p->male = unit() < (p->pclass == 3 ? 0.70 : 0.58);
    draw_age(p);
    p->sibsp = sib_val[pick(sib)];
    p->parch = pick(par);
    p->port = unit() < 0.002 ? -1 : pick(port);
    draw_deck(p);
    draw_fare(p);
    draw_survival(p);
}

/* Shortest of %.4f without trailing zeros, at least one decimal ("7.25", "8.0"). */
static void put_decimal(FILE *f, double v, int places)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", places, v);
    size_t n = strlen(buf);
    while (n > 2 && buf[n - 1] == '0' && buf[n - 2] != '.')
        buf[--n] = '\0';
    fputs(buf, f);
}

static void put_row(FILE *f, FILE *labels, const passenger *p, uint64_t id)
{
    bool child = !isnan(p->age) && p->age < 16.0;
    const char *who = child ? "child" : p->male ? "man" : "woman";
    int alone = p->sibsp + p->parch == 0;
    fprintf(f, "%" PRIu64, id);
    if (!labels) fprintf(f, ",%d", p->survived);
    fprintf(f, ",%d,%s,", p->pclass, p->male ? "male" : "female");
    if (!isnan(p->age)) put_decimal(f, p->age, 2);
    fprintf(f, ",%d,%d,", p->sibsp, p->parch);
    put_decimal(f, p->fare, 4);
    fprintf(f, ",%s,%s,%s,%s,", p->port < 0 ? "" : port_codes[p->port], class_names[p->pclass - 1],
            who, p->male && !child ? "True" : "False");
    if (p->deck) fputc(p->deck, f);
    fprintf(f, ",%s", p->port < 0 ? "" : port_towns[p->port]);
    if (!labels) fprintf(f, ",%s", p->survived ? "yes" : "no");
    fprintf(f, ",%s\n", alone ? "True" : "False");
    if (labels) fprintf(labels, "%" PRIu64 ",%d\n", id, p->survived);
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) fprintf(stderr, "gen_titanic: cannot write %s: %s\n", path, strerror(errno));
    return f;
}

static int close_out(FILE *f, const char *name)
{
    int bad = ferror(f) | fclose(f);
    if (bad) fprintf(stderr, "gen_titanic: write error on %s\n", name);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: gen_titanic TRAIN_ROWS EVAL_ROWS OUTDIR [SEED]\n");
        return 2;
    }
    uint64_t n_train = strtoull(argv[1], NULL, 10), n_eval = strtoull(argv[2], NULL, 10);
    state = argc == 5 ? strtoull(argv[4], NULL, 10) : 42;
    state = state * 0x9E3779B97F4A7C15ULL + 1; /* never 0 */
    FILE *tr = open_out(argv[3], "train.csv");
    FILE *ev = tr ? open_out(argv[3], "eval.csv") : NULL;
    FILE *lb = ev ? open_out(argv[3], "eval_labels.csv") : NULL;
    if (!lb) return 1;
    fputs("passenger_id,survived,pclass,sex,age,sibsp,parch,fare,embarked,class,who,adult_male,"
          "deck,embark_town,alive,alone\n",
          tr);
    fputs("passenger_id,pclass,sex,age,sibsp,parch,fare,embarked,class,who,adult_male,deck,"
          "embark_town,alone\n",
          ev);
    fputs("passenger_id,survived\n", lb);
    passenger p;
    for (uint64_t i = 0; i < n_train + n_eval; i++) {
        draw(&p);
        put_row(i < n_train ? tr : ev, i < n_train ? NULL : lb, &p, i + 1);
    }
    int bad = close_out(tr, "train.csv");
    bad |= close_out(ev, "eval.csv");
    bad |= close_out(lb, "eval_labels.csv");
    return bad ? 1 : 0;
}

/*
 * csvhead.c — a CLI command in a plugin: `lolpop extension csvhead`, the
 * first rows of a CSV file as lolpop reads it (column types included).
 *
 *   lolpop extension csvhead [-n ROWS] [--columns A,B,...] FILE
 *
 * Output: a header line "name:dtype" per column, then up to ROWS rows
 * (default 5), tab-separated, missing values shown as NA. Exit codes follow
 * lolpop's: 0 ok, 1 the file cannot be read (the message names file, line and
 * column), 2 usage (bad option, unknown column). A command owns its argv and
 * its output: unlike methods, it prints with stdio.
 */
/* strdup and strtok_r, also when built outside the project with -std=c17 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lolpop.h>

#define EXIT_OK    0
#define EXIT_FAIL  1
#define EXIT_USAGE 2

static const char usage[] = "usage: lolpop extension csvhead [-n ROWS] [--columns A,B,...] FILE\n";

static const char help[] =
    "Prints the first rows of a CSV file as lolpop reads it: a header of name:dtype per\n"
    "column, then the rows, tab-separated (missing values as NA).\n\n"
    "Options:\n"
    "  -n ROWS              how many rows (default 5; 0 prints the header only)\n"
    "  --columns A,B,...    only these columns, in this order\n"
    "  -h, --help           show this help\n\n"
    "Exit codes: 0 ok, 1 the file cannot be read, 2 usage error.\n";

typedef struct csvhead_args {
    long rows;
    const char *columns; /* comma-separated, borrowed from argv; NULL = all */
    const char *file;
} csvhead_args;

/* Parses argv into a; 0, or an exit code after printing the problem. */
static int parse_args(csvhead_args *a, int argc, char **argv)
{
    *a = (csvhead_args){.rows = 5};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(usage, stdout);
            fputs(help, stdout);
            return -1; /* done: exit 0 */
        }
        if ((strcmp(arg, "-n") == 0 || strcmp(arg, "--columns") == 0) && i + 1 >= argc) {
            fprintf(stderr, "lolpop extension csvhead: option '%s' needs a value\n%s", arg, usage);
            return EXIT_USAGE;
        }
        if (strcmp(arg, "-n") == 0) {
            char *end;
            errno = 0;
            a->rows = strtol(argv[++i], &end, 10);
            if (errno || *end || end == argv[i] || a->rows < 0) {
                fprintf(stderr, "lolpop extension csvhead: -n needs a row count >= 0, got '%s'\n",
                        argv[i]);
                return EXIT_USAGE;
            }
        } else if (strcmp(arg, "--columns") == 0) {
            a->columns = argv[++i];
        } else if (arg[0] == '-' && arg[1]) {
            fprintf(stderr, "lolpop extension csvhead: unknown option '%s'\n%s", arg, usage);
            return EXIT_USAGE;
        } else if (a->file) {
            fprintf(stderr, "lolpop extension csvhead: one FILE only (got '%s' and '%s')\n%s",
                    a->file, arg, usage);
            return EXIT_USAGE;
        } else {
            a->file = arg;
        }
    }
    if (!a->file) {
        fprintf(stderr, "lolpop extension csvhead: FILE is missing\n%s", usage);
        return EXIT_USAGE;
    }
    return 0;
}

/* The columns of f named in the comma-separated list (new frame in *out), or
 * EXIT_USAGE after naming an unknown column. lp_frame_select's message lists
 * the closest existing column. */
static int select_columns(lp_frame **out, const lp_frame *f, const char *list)
{
    char *copy = strdup(list);
    size_t n = 0, cap = 1;
    for (const char *p = list; *p; p++)
        cap += *p == ',';
    const char **names = calloc(cap, sizeof *names);
    if (!copy || !names) {
        free(copy);
        free(names);
        fprintf(stderr, "lolpop extension csvhead: out of memory\n");
        return EXIT_FAIL;
    }
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save))
        names[n++] = tok;
    int rc = lp_frame_select(out, f, names, n);
    if (rc != 0) fprintf(stderr, "lolpop extension csvhead: %s\n", lp_error_last()->message);
    free(names);
    free(copy);
    return rc == 0 ? EXIT_OK : EXIT_USAGE;
}

/* Prints x with the fewest digits that read back as x (15, else 17). */
static void print_double(double x)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.15g", x);
    if (strtod(buf, NULL) != x) snprintf(buf, sizeof buf, "%.17g", x);
    fputs(buf, stdout);
}

/* Prints value i of c (NA when missing). */
static void print_value(const lp_column *c, size_t i)
{
    size_t len = 0;
    const char *s = lp_column_str(c, i, &len);
    if (!lp_column_is_valid(c, i))
        fputs("NA", stdout);
    else if (s)
        fwrite(s, 1, len, stdout);
    else if (c->type == LP_DT_FLOAT64)
        print_double(c->data.f64[i]);
    else if (c->type == LP_DT_BOOL)
        fputs(c->data.b8[i] ? "true" : "false", stdout);
    else /* int64, timestamp (microseconds) */
        printf("%" PRId64, c->data.i64[i]);
}

static void print_head(const lp_frame *f, size_t rows)
{
    size_t cols = lp_frame_cols(f);
    for (size_t j = 0; j < cols; j++)
        printf("%s%s:%s", j ? "\t" : "", lp_frame_name(f, j),
               lp_dtype_name(lp_frame_col(f, j)->type));
    putchar('\n');
    for (size_t i = 0; i < rows && i < lp_frame_rows(f); i++) {
        for (size_t j = 0; j < cols; j++) {
            if (j) putchar('\t');
            print_value(lp_frame_col(f, j), i);
        }
        putchar('\n');
    }
}

/* The command: argv[0] is "csvhead". Returns the process exit code. */
static int csvhead_run(int argc, char **argv)
{
    csvhead_args a;
    int rc = parse_args(&a, argc, argv);
    if (rc != 0) return rc < 0 ? EXIT_OK : rc;
    lp_frame *f = NULL;
    if (lp_csv_read(&f, a.file, NULL) != 0) {
        char *msg = lp_error_format(); /* "file:line:col: message" */
        fprintf(stderr, "lolpop extension csvhead: %s\n", msg ? msg : "cannot read the file");
        free(msg);
        return EXIT_FAIL;
    }
    lp_frame *shown = NULL;
    rc = a.columns ? select_columns(&shown, f, a.columns) : EXIT_OK;
    if (rc == EXIT_OK) print_head(shown ? shown : f, (size_t)a.rows);
    lp_frame_unref(shown);
    lp_frame_unref(f);
    return rc;
}

static const lp_command csvhead_command = {
    .name = "csvhead",
    .summary = "the first rows of a CSV file, with the column types lolpop infers",
    .run = csvhead_run,
};

static int csvhead_init(lp_registry *reg)
{
    return lp_registry_add_command(reg, &csvhead_command);
}

LP_PLUGIN_DEFINE("csvhead", "1.0.0", csvhead_init)

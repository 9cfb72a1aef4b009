/*
 * test_foreign_classes.c — the Python lolpop's classes (issue 11 Fix 15): the
 * code's table and docs/migrating.md's Components table agree, Base<Type>
 * names are recognised, and lp_config_load switches such slots off.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/foreign_classes.h"
#include "lolpop/config.h"

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = calloc(1, (size_t)n + 1);
    cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return s;
}

/* The first `name` in backquotes in [p, end) (copied into out), or false. */
static bool first_quoted(const char *p, const char *end, char *out, size_t size)
{
    const char *a = memchr(p, '`', (size_t)(end - p));
    const char *b = a ? memchr(a + 1, '`', (size_t)(end - a - 1)) : NULL;
    if (!b || (size_t)(b - a) >= size) return false;
    snprintf(out, size, "%.*s", (int)(b - a - 1), a + 1);
    return true;
}

/* Every row of docs/migrating.md's Components table: each Python class in the
 * second column maps, in the code, to the first class of the third column
 * (none when that column names none); classes of the same name are built in,
 * Base<Type> names switch the slot off. Every foreign class of the code is in
 * the docs. */
Test(foreign_classes, docs_and_code_agree)
{
    char *doc = read_all(LP_SOURCE_ROOT "/docs/migrating.md");
    char *sec = strstr(doc, "## Components");
    cr_assert_not_null(sec);
    char *stop = strstr(sec + 3, "\n## ");
    if (stop) *stop = '\0';
    size_t checked = 0;
    for (char *line = strstr(sec, "\n| "); line; line = strstr(line + 1, "\n| ")) {
        char row[1024];
        size_t n = strcspn(line + 1, "\n");
        cr_assert_lt(n, sizeof row);
        snprintf(row, sizeof row, "%.*s", (int)n, line + 1);
        char *c1 = strchr(row + 1, '|'), *c2 = c1 ? strchr(c1 + 1, '|') : NULL;
        if (!c2 || strncmp(row, "| slot |", 8) == 0 || strncmp(row, "|---", 4) == 0) continue;
        *c2 = '\0'; /* c1..c2: the Python classes, c2 + 1..: here */
        const char *here_col = c2 + 1;
        char here[128] = "";
        bool has_counterpart =
            first_quoted(here_col, here_col + strlen(here_col), here, sizeof here) &&
            strncmp(here_col, " —", 4) != 0;
        for (const char *p = c1; (p = strchr(p, '`')) != NULL;) {
            const char *q = strchr(p + 1, '`');
            cr_assert_not_null(q, "unbalanced backquotes in: %s", row);
            char name[128], quoted[140];
            snprintf(name, sizeof name, "%.*s", (int)(q - p - 1), p + 1);
            p = q + 1;
            snprintf(quoted, sizeof quoted, "`%s`", name);
            /* built in under the same name, or Base<Type> (the slot is off) */
            if (strstr(here_col, quoted) || strncmp(name, "Base", 4) == 0) continue;
            const lp_foreign_class *f = lp_foreign_class_find(name);
            cr_assert_not_null(f, "docs/migrating.md names %s; the code's table does not", name);
            if (has_counterpart)
                cr_assert(f->counterpart && strcmp(f->counterpart, here) == 0,
                          "%s: docs say %s, code says %s", name, here,
                          f->counterpart ? f->counterpart : "(none)");
            else
                cr_assert_null(f->counterpart, "%s: docs say none, code says %s", name,
                               f->counterpart);
            checked++;
        }
    }
    for (const lp_foreign_class *f = lp_foreign_classes(); f->name; f++) {
        char quoted[140];
        snprintf(quoted, sizeof quoted, "`%s`", f->name);
        cr_assert(strstr(sec, quoted), "the code maps %s; docs/migrating.md does not", f->name);
    }
    cr_assert_geq(checked, 30, "only %zu classes checked", checked);
    free(doc);
}

Test(foreign_classes, base_names)
{
    cr_assert(lp_foreign_is_base_class("BaseMetricsTracker", "metrics_tracker"));
    cr_assert(lp_foreign_is_base_class("BaseResourceVersionControl", "resource_version_control"));
    cr_assert_not(lp_foreign_is_base_class("BaseMetricsTracker", "metadata_tracker"));
    cr_assert_not(lp_foreign_is_base_class("BaseMetricsTrackers", "metrics_tracker"));
    cr_assert_not(lp_foreign_is_base_class("LocalMetricsTracker", "metrics_tracker"));
}

Test(foreign_classes, base_slots_are_switched_off_with_a_warning)
{
    char path[] = "/tmp/lp_test_foreign_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    const char *text = "component:\n"
                       "  metadata_tracker: LocalMetadataTracker\n"
                       "  metrics_tracker: BaseMetricsTracker\n"
                       "  resource_version_control: BaseResourceVersionControl\n"
                       "train:\n  component:\n    model_checker: BaseModelChecker\n";
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    const char *files[] = {path};
    lp_config_input in = {files, 1, NULL, 0};
    lp_diags d;
    lp_diags_init(&d);
    lp_config *cfg = NULL;
    cr_assert_eq(lp_config_load(&cfg, &in, &d), 0);
    const lp_value *root = lp_config_root(cfg);
    cr_assert_null(lp_config_path_get(root, "component.metrics_tracker"));
    cr_assert_null(lp_config_path_get(root, "component.resource_version_control"));
    cr_assert_null(lp_config_path_get(root, "train.component.model_checker"));
    cr_assert_not_null(lp_config_path_get(root, "component.metadata_tracker"));
    cr_assert_eq(d.len, 3);
    cr_assert(strstr(d.items[0].message, "BaseMetricsTracker: the Python lolpop's way to switch "
                                         "slot 'metrics_tracker' off"),
              "%s", d.items[0].message);
    cr_assert_eq(d.items[0].severity, LP_SEV_WARNING);
    cr_assert_eq(d.items[0].where.line, 3);
    lp_config_free(cfg);
    lp_diags_clear(&d);
    unlink(path);
}

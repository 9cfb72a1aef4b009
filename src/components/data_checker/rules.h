/*
 * rules.h — LocalDataChecker's pieces (internal): the rules of its config
 * (rules.c) and the checks run on a frame (suite.c).
 */
#ifndef LP_COMPONENTS_DATA_CHECKER_RULES_H
#define LP_COMPONENTS_DATA_CHECKER_RULES_H

#include "components/data_checker/checks.h"
#include "lolpop/frame.h"

typedef enum { LP_RULE_COLUMN, LP_RULE_UNIQUE, LP_RULE_ROWS } lp_rule_kind;

/* One configured rule. Values are borrowed from `spec` (a reference held). */
typedef struct lp_dc_rule {
    lp_rule_kind kind;
    lp_value *spec;         /* the rule's config map (held) */
    const lp_value *column; /* column rules: the column name value; unique: a string or list */
    bool not_null, unique;  /* column rules */
    bool has_min, has_max;  /* column: value range; rows: row count range */
    double min, max;
    const lp_value *allowed; /* list or NULL */
    double max_missing;      /* share; < 0 when unset */
    int severity;            /* LP_CHK_WARN or LP_CHK_ERROR */
} lp_dc_rule;

/* Severities of the default suite's checks (LP_CHK_OFF: not run). */
typedef struct lp_dc_suite {
    int empty, duplicate_rows, constant_columns, schema, missing_jump, new_categories, out_of_range;
    double missing_jump_share; /* a missing share this much above the previous one (0.1) */
} lp_dc_suite;

/* Parses config `rules` (a list of maps) into *out (*n rules, malloc'ed). Unknown keys,
 * wrong types and empty rules are LP_ECONFIG located at the value, with "did you mean". */
int lp_dc_rules_parse(lp_dc_rule **out, size_t *n, const lp_value *rules, const char *who);
/* Releases rules[0..n) and the array. */
void lp_dc_rules_free(lp_dc_rule *rules, size_t n);
/* Parses config `suite` (map check -> severity or off) over the defaults in *s. */
int lp_dc_suite_parse(lp_dc_suite *s, const lp_value *suite, const char *who);

/* Runs the default suite on f (against previous when not NULL) into checks. 0 or LP_E*. */
int lp_dc_run_suite(lp_value *checks, const lp_frame *f, const lp_frame *previous,
                    const lp_dc_suite *s);
/* Runs the rules on f into checks. A rule naming a column f lacks is LP_ECONFIG located at
 * the rule, with "did you mean". 0 or LP_E*. */
int lp_dc_run_rules(lp_value *checks, const lp_frame *f, const lp_dc_rule *rules, size_t n,
                    const char *who);

#endif

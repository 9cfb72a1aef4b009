/*
 * bundle_internal.h — the deployment bundle's format (docs/bundles.md), shared
 * by its writer (LocalModelDeployer) and its reader (lp_bundle_open). Not
 * installed; the public side is include/lolpop/bundle.h.
 *
 * Ownership: parsers return new references (*out) or an error naming the
 * file and the field; nothing is returned on failure.
 */
#ifndef LP_BUNDLE_INTERNAL_H
#define LP_BUNDLE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "lolpop/bundle.h"
#include "lolpop/class.h"
#include "lolpop/model.h"

/* The files of a bundle. */
#define LP_BUNDLE_MANIFEST  "bundle.json"
#define LP_BUNDLE_MODEL     "model.lpm"
#define LP_BUNDLE_INPUT     "input.json"
#define LP_BUNDLE_TRANSFORM "transform.json"
#define LP_BUNDLE_SCHEMA    "schema.json"
#define LP_BUNDLE_METADATA  "metadata.json"

/* The largest JSON file of a bundle read (manifest, input, transform). */
#define LP_BUNDLE_JSON_MAX (16u << 20)

/* bundle.json of `len` bytes, checked: {format (int), lolpop_version
 * (string), abi_version (int), model_file, input_file (plain file names),
 * transform_file (a plain file name or null), files: {name: {sha256 (64 hex),
 * size (int >= 0)}} listing every named file}. The format and versions are
 * NOT compared here (lp_bundle_check_versions). */
int lp_bundle_manifest_parse(lp_value **out, const char *text, size_t len);

/* LP_EINVAL naming both sides when the manifest's format, ABI or lolpop
 * version is not one this lolpop reads; 0 otherwise. `dir` for the message. */
int lp_bundle_check_versions(const lp_value *manifest, const char *dir);

/* input.json, checked: {columns: [{name, dtype (a lolpop dtype), required
 * (bool)}] (names unique) or null, model_index (string or null), target:
 * {name, dtype}, task (binary|multiclass|regression), classes: [strings]}. */
int lp_bundle_input_parse(lp_value **out, const char *text, size_t len);

/* transform.json, checked: {class (string), config (map), tables: [one
 * string or more]}. */
int lp_bundle_transform_parse(lp_value **out, const char *text, size_t len);

/* A bundle built in memory from its parts, as lp_bundle_open would build it
 * from files (nothing verified on disk): how the deployer checks, before it
 * writes, that the bundle scores and which input columns are required. Takes
 * a new reference to m; input and transform (NULL: none) are copied; `dir`
 * names it in messages. */
int lp_bundle_from_parts(lp_bundle **out, const lp_registry *reg, const char *dir, lp_model *m,
                         const lp_value *input, const lp_value *transform);

/* The hidden runner a bundle's data_transformer instance sits under (so it
 * has a logger, a notifier and configuration lookup). The built-in plugin
 * registers it; lp_bundle_open adds it to a registry that lacks it. */
#define LP_BUNDLE_RUNNER "LolpopBundleRunner"
extern const lp_class lp_bundle_runner_class;

/* Whether name is a plain file name (no '/', not empty, no leading '.'). */
bool lp_bundle_plain_name(const char *name);

#endif

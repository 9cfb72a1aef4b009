/*
 * abi.h — the binary interface version of lolpop's public descriptors.
 *
 * LP_ABI_VERSION changes whenever a public struct or function signature
 * changes incompatibly. A plugin records the version it was built for in its
 * lp_plugin (LP_PLUGIN_DEFINE does it); lolpop loads plugins built for
 * LP_ABI_OLDEST to LP_ABI_VERSION and refuses others, naming both versions.
 *
 * The descriptors a plugin or program hands to lolpop — lp_class, lp_type,
 * lp_command, lp_call_hooks, lp_handle_type — end with `uint32_t abi_version`,
 * the ABI whose layout they were written in. Leave it out of designated
 * initializers: 0 means
 *   - for lp_class, lp_type and lp_command: the ABI of the plugin registering
 *     them (lp_plugin.abi_version), or LP_ABI_VERSION outside any plugin;
 *   - for lp_call_hooks and lp_handle_type, which enter at run time outside
 *     any plugin's registration: ABI 2, the first layout with the field.
 *     Set `.abi_version = LP_ABI_VERSION` to use fields added after ABI 2.
 * Later ABIs only append fields after abi_version and read them only from a
 * descriptor whose version has them (the rest are taken as zero), so a
 * compiled plugin keeps working with a newer lolpop. A descriptor of a
 * version outside LP_ABI_OLDEST..LP_ABI_VERSION is refused where it enters
 * (lp_registry_add_class / _type / _command, lp_workflow_add_hooks,
 * lp_value_handle) with an error naming both versions; nothing crashes.
 *
 * ABI 1 descriptors had no abi_version. Hooks and handle types reach lolpop
 * at run time, where one of ABI 1 cannot be told from one of ABI 2, so
 * plugins built for ABI 1 are refused: rebuild them. The arrays a class points
 * to (lp_method, lp_config_key) carry no version: their layout is frozen.
 */
#ifndef LOLPOP_ABI_H
#define LOLPOP_ABI_H

/* The ABI of these headers. */
#define LP_ABI_VERSION 2u
/* The oldest ABI whose plugins and descriptors this lolpop reads. */
#define LP_ABI_OLDEST 2u
/* The first ABI whose descriptors carry abi_version: what 0 means in
 * lp_call_hooks and lp_handle_type. */
#define LP_ABI_VERSIONED_SINCE 2u

#endif

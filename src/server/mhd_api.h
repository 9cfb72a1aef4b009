/*
 * mhd_api.h — libmicrohttpd, loaded on first use (core/lazylib.h).
 *
 * libmicrohttpd links GnuTLS, which pulls in nettle, gmp, p11-kit, idn2 and
 * more: linked into `lolpop`, their loading and relocation tripled the
 * start-up time of every command (`--version` 4 → 12 ms). Only `serve` needs
 * the library, so it is opened there. Files of the server include this
 * header instead of <microhttpd.h>; each MHD_* function name then means the
 * pointer of the same name in lp_mhd_fn.
 */
#ifndef LP_SERVER_MHD_API_H
#define LP_SERVER_MHD_API_H

#include <microhttpd.h>

#define LP_MHD_FUNCTIONS(X)                                                                        \
    X(MHD_add_response_header)                                                                     \
    X(MHD_create_response_from_buffer)                                                             \
    X(MHD_destroy_response)                                                                        \
    X(MHD_get_daemon_info)                                                                         \
    X(MHD_lookup_connection_value)                                                                 \
    X(MHD_queue_response)                                                                          \
    X(MHD_quiesce_daemon)                                                                          \
    X(MHD_start_daemon)                                                                            \
    X(MHD_stop_daemon)

#define LP_MHD_FIELD(name) __typeof__(name) *name;
typedef struct lp_mhd_fns {
    LP_MHD_FUNCTIONS(LP_MHD_FIELD)
} lp_mhd_fns;
#undef LP_MHD_FIELD

extern lp_mhd_fns lp_mhd_fn;

/* Loads libmicrohttpd once; 0, or LP_ENOTFOUND with the reason (last error).
 * Thread-safe. Every use of an MHD_* function comes after it succeeded. */
int lp_mhd_require(void);

#ifndef LP_MHD_API_IMPL
#define MHD_add_response_header         lp_mhd_fn.MHD_add_response_header
#define MHD_create_response_from_buffer lp_mhd_fn.MHD_create_response_from_buffer
#define MHD_destroy_response            lp_mhd_fn.MHD_destroy_response
#define MHD_get_daemon_info             lp_mhd_fn.MHD_get_daemon_info
#define MHD_lookup_connection_value     lp_mhd_fn.MHD_lookup_connection_value
#define MHD_queue_response              lp_mhd_fn.MHD_queue_response
#define MHD_quiesce_daemon              lp_mhd_fn.MHD_quiesce_daemon
#define MHD_start_daemon                lp_mhd_fn.MHD_start_daemon
#define MHD_stop_daemon                 lp_mhd_fn.MHD_stop_daemon
#endif

#endif

/*
 * notifier_curl.c — loads libcurl on first use (see notifier.h): linking it
 * would make every `lolpop` start pay for libcurl's own dependencies (TLS,
 * HTTP/2, LDAP, SSH), although only the mail and webhook notifiers use it.
 */
#include "components/notifier/notifier.h"

#include <pthread.h>
#include <stdio.h>

#include "core/lazylib.h"

lp_curl_fns lp_curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_error[600];

static void load(void)
{
    /* Debian's libcurl4 (OpenSSL) ships libcurl.so.4; libcurl3-gnutls the
     * other name; the unversioned one is a development symlink. */
    static const char *const sonames[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so",
                                          NULL};
#define LP_CURL_SYM(name) {#name, &lp_curl.name},
    const lp_lazysym syms[] = {LP_CURL_FUNCTIONS(LP_CURL_SYM)};
#undef LP_CURL_SYM
    load_rc = lp_lazylib_resolve("libcurl", sonames, syms, sizeof syms / sizeof syms[0]);
    if (load_rc) {
        snprintf(load_error, sizeof load_error, "%s; install libcurl (Debian: libcurl4)",
                 lp_error_last()->message);
        return;
    }
    /* curl_global_init is not thread-safe: pthread_once makes it run once. */
    if (lp_curl.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        load_rc = LP_EIO;
        snprintf(load_error, sizeof load_error, "libcurl could not be initialised");
    }
}

int lp_curl_require(void)
{
    pthread_once(&once, load);
    return load_rc ? lp_error_set(load_rc, "%s", load_error) : 0;
}

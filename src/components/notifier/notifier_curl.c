/*
 * notifier_curl.c — loads libcurl on first use (see notifier.h): linking it
 * would make every `lolpop` start pay for libcurl's own dependencies (TLS,
 * HTTP/2, LDAP, SSH), although only the mail and webhook notifiers use it.
 */
#include "components/notifier/notifier.h"

#include "core/lazylib.h"

lp_curl_fns lp_curl;

static lp_lazylib_state loaded = LP_LAZYLIB_STATE_INIT;

static void load(void)
{
    /* Debian's libcurl4 (OpenSSL) ships libcurl.so.4; libcurl3-gnutls the
     * other name; the unversioned one is a development symlink. */
    static const char *const sonames[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so",
                                          NULL};
#define LP_CURL_SYM(name) {#name, &lp_curl.name},
    const lp_lazysym syms[] = {LP_CURL_FUNCTIONS(LP_CURL_SYM)};
#undef LP_CURL_SYM
    int rc = lp_lazylib_resolve("libcurl", sonames, syms, sizeof syms / sizeof syms[0]);
    if (rc) {
        lp_lazylib_keep(&loaded, rc, "install libcurl (Debian: libcurl4)");
        return;
    }
    /* curl_global_init is not thread-safe: pthread_once makes it run once. */
    rc = lp_curl.curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK
             ? 0
             : lp_error_set(LP_EIO, "libcurl could not be initialised");
    lp_lazylib_keep(&loaded, rc, NULL);
}

int lp_curl_require(void)
{
    return lp_lazylib_require(&loaded, load);
}

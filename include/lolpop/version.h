/* version.h — the library version (also what `lolpop --version` prints). */
#ifndef LOLPOP_VERSION_H
#define LOLPOP_VERSION_H
#ifdef __cplusplus
extern "C" {
#endif
const char *lp_version(void); /* "0.1.0" (static) */
#ifdef __cplusplus
}
#endif
#endif

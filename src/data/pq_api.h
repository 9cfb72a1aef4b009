/*
 * pq_api.h — libpq, loaded on first use (core/lazylib.h).
 *
 * Files that call libpq include this header after <libpq-fe.h> (pg_frame.h
 * does): each PQ* name then means the function pointer of the same name in
 * lp_pq_fn. Every entry that can reach libpq without a connection
 * (lp_pg_connect, DSN masking) calls lp_pq_require() first; everything else
 * works on a connection those made.
 */
#ifndef LP_DATA_PQ_API_H
#define LP_DATA_PQ_API_H

#include <libpq-fe.h>

#include "core/internal.h"

#define LP_PQ_FUNCTIONS(X)                                                                         \
    X(PQclear)                                                                                     \
    X(PQconnectdbParams)                                                                           \
    X(PQconninfoFree)                                                                              \
    X(PQconninfoParse)                                                                             \
    X(PQdb)                                                                                        \
    X(PQerrorMessage)                                                                              \
    X(PQescapeIdentifier)                                                                          \
    X(PQexec)                                                                                      \
    X(PQexecParams)                                                                                \
    X(PQfinish)                                                                                    \
    X(PQfname)                                                                                     \
    X(PQfreemem)                                                                                   \
    X(PQftype)                                                                                     \
    X(PQgetResult)                                                                                 \
    X(PQgetisnull)                                                                                 \
    X(PQgetlength)                                                                                 \
    X(PQgetvalue)                                                                                  \
    X(PQhost)                                                                                      \
    X(PQnfields)                                                                                   \
    X(PQntuples)                                                                                   \
    X(PQport)                                                                                      \
    X(PQputCopyData)                                                                               \
    X(PQputCopyEnd)                                                                                \
    X(PQresultErrorField)                                                                          \
    X(PQresultErrorMessage)                                                                        \
    X(PQresultStatus)                                                                              \
    X(PQsetNoticeProcessor)                                                                        \
    X(PQstatus)                                                                                    \
    X(PQuser)

#define LP_PQ_FIELD(name) __typeof__(name) *name;
typedef struct lp_pq_fns {
    LP_PQ_FUNCTIONS(LP_PQ_FIELD)
} lp_pq_fns;
#undef LP_PQ_FIELD

extern lp_pq_fns lp_pq_fn;

/* Loads libpq once; 0, or LP_ENOTFOUND with the reason. Thread-safe. */
int lp_pq_require(void);

#ifndef LP_PQ_API_IMPL
#define PQclear              lp_pq_fn.PQclear
#define PQconnectdbParams    lp_pq_fn.PQconnectdbParams
#define PQconninfoFree       lp_pq_fn.PQconninfoFree
#define PQconninfoParse      lp_pq_fn.PQconninfoParse
#define PQdb                 lp_pq_fn.PQdb
#define PQerrorMessage       lp_pq_fn.PQerrorMessage
#define PQescapeIdentifier   lp_pq_fn.PQescapeIdentifier
#define PQexec               lp_pq_fn.PQexec
#define PQexecParams         lp_pq_fn.PQexecParams
#define PQfinish             lp_pq_fn.PQfinish
#define PQfname              lp_pq_fn.PQfname
#define PQfreemem            lp_pq_fn.PQfreemem
#define PQftype              lp_pq_fn.PQftype
#define PQgetResult          lp_pq_fn.PQgetResult
#define PQgetisnull          lp_pq_fn.PQgetisnull
#define PQgetlength          lp_pq_fn.PQgetlength
#define PQgetvalue           lp_pq_fn.PQgetvalue
#define PQhost               lp_pq_fn.PQhost
#define PQnfields            lp_pq_fn.PQnfields
#define PQntuples            lp_pq_fn.PQntuples
#define PQport               lp_pq_fn.PQport
#define PQputCopyData        lp_pq_fn.PQputCopyData
#define PQputCopyEnd         lp_pq_fn.PQputCopyEnd
#define PQresultErrorField   lp_pq_fn.PQresultErrorField
#define PQresultErrorMessage lp_pq_fn.PQresultErrorMessage
#define PQresultStatus       lp_pq_fn.PQresultStatus
#define PQsetNoticeProcessor lp_pq_fn.PQsetNoticeProcessor
#define PQstatus             lp_pq_fn.PQstatus
#define PQuser               lp_pq_fn.PQuser
#endif

#endif

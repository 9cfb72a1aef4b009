/*
 * stdout_line.c — how the built-in components write to standard output.
 *
 * StdOutLogger and StdOutNotifier both emit whole lines on the console
 * (stderr: stdout is for results, so that `lolpop … | jq` works); they share
 * this one writer so that both keep lines whole when several threads write
 * and both flush at once (a pipe must see a line when it is logged).
 */
#include <stdio.h>
#include <unistd.h>

#include "components/components_internal.h"
#include "lolpop/error.h"

lp_value *lp_stream_put_line(FILE *out, lp_sb *sb, const char *who)
{
    lp_sb_putc(sb, '\n');
    if (sb->oom) {
        lp_sb_free(sb);
        lp_error_set(LP_ENOMEM, "%s: out of memory", who);
        return NULL;
    }
    /* On a terminal, first erase what a progress line left after its \r. */
    if (isatty(fileno(out))) fputs("\033[K", out);
    /* One fwrite per line: stdio locks the stream for the call. */
    fwrite(sb->buf, 1, sb->len, out);
    fflush(out);
    lp_sb_free(sb);
    return lp_value_null();
}

/*
 * ets_nm.c — the Nelder-Mead minimiser of R's optim (nmmin in R's
 * src/appl/optim.c, J. C. Nash's algorithm), step for step: forecast::ets
 * optimises with it, and the same simplex moves reach the same optimum, so
 * that fits agree with R's to rounding instead of to an optimiser's tolerance.
 *
 * The objective evaluates two points at once in about the time of one (ets.c
 * runs both recursions side by side), so points are paired where nmmin's
 * path allows: the vertices of a new simplex two by two, and each
 * reflection with the point the step will most likely try next (among the
 * expansion and the two contractions, by where the reflection's value would
 * fall were the function linear). A guess that proves wrong costs its evaluation and the
 * right point is evaluated alone; the steps, the values kept and the count
 * of evaluations (maxit) are nmmin's.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "ml/ets.h"

#define BIG 1.0e+35

/* f at k (1 or 2) points, non-finite values made BIG as nmmin does. */
static void eval(const lp_ets_objective *f, void *ctx, size_t k, const double *x0, const double *x1,
                 double bound0, double bound1, double *v)
{
    const double *xs[2] = {x0, x1};
    double bounds[2] = {bound0, bound1};
    f->values(xs, bounds, v, k, ctx);
    for (size_t j = 0; j < k; j++)
        if (!isfinite(v[j])) v[j] = BIG;
}

static double eval1(const lp_ets_objective *f, void *ctx, const double *x, double bound)
{
    double v;
    eval(f, ctx, 1, x, NULL, bound, 0, &v);
    return v;
}

/* acc[i] += a[i], then += b[i] (b may be NULL): two vertices' coordinates
 * added to the centroid's sums in order, the columns apart (restrict: no
 * overlap tests in the vectorised loop). */
static void add_columns(double *restrict acc, const double *restrict a, const double *restrict b,
                        size_t n)
{
    if (!b) {
        for (size_t i = 0; i < n; i++)
            acc[i] += a[i];
        return;
    }
    for (size_t i = 0; i < n; i++)
        acc[i] = acc[i] + a[i] + b[i];
}

/* The point that follows a reflection in nmmin. */
typedef enum next_point { NEXT_CONTRACT_REFLECTED, NEXT_EXPAND, NEXT_CONTRACT_WORST } next_point;

/* The value of a point evaluated ahead (NaN bound) where it is used: the
 * check it was spared when below the bound it is compared with. */
static double checked(const lp_ets_objective *f, void *ctx, const double *x, double v, double bound)
{
    return v < bound && !f->check(x, ctx) ? BIG : v;
}

double lp_ets_nelder_mead(const lp_ets_objective *f, void *ctx, double *x, size_t n, int maxit)
{
    const double alpha = 1.0, bet = 0.5, gamm = 2.0, intol = sqrt(DBL_EPSILON);
    const double *start[1] = {x};
    double fx, no_bound = INFINITY;
    f->values(start, &no_bound, &fx, 1, ctx); /* the start's own value, not made BIG */
    if (!isfinite(fx) || n == 0) return fx;
    size_t n1 = n + 1, C = n + 2;
    /* P is (n+1) x (n+2), column-major as nmmin's P[i][j]: rows 0..n-1 are
     * coordinates, row n the function value; column C-1 the centroid. R, E,
     * Cr and Cw: the reflection, expansion and the contractions towards the
     * reflection and towards the worst vertex; B a vertex's copy. */
    double *P = malloc(n1 * C * sizeof *P);
    double *B = malloc(5 * n * sizeof *B);
    if (!P || !B) {
        free(P);
        free(B);
        return fx;
    }
    double *R = B + n, *E = B + 2 * n, *Cr = B + 3 * n, *Cw = B + 4 * n;
#define PP(i, j) P[(size_t)(j)*n1 + (size_t)(i)]
    for (size_t i = 0; i < n; i++)
        B[i] = x[i];
    int funcount = 1;
    double convtol = intol * (fabs(fx) + intol);
    PP(n1 - 1, 0) = fx;
    for (size_t i = 0; i < n; i++)
        PP(i, 0) = B[i];
    size_t L = 1;
    double size = 0.0, step = 0.0;
    for (size_t i = 0; i < n; i++)
        if (0.1 * fabs(B[i]) > step) step = 0.1 * fabs(B[i]);
    if (step == 0.0) step = 0.1;
    for (size_t j = 2; j <= n1; j++) {
        for (size_t i = 0; i < n; i++)
            PP(i, j - 1) = B[i];
        double trystep = step;
        while (PP(j - 2, j - 1) == B[j - 2]) {
            PP(j - 2, j - 1) = B[j - 2] + trystep;
            trystep *= 10;
        }
        size += trystep;
    }
    double oldsize = size;
    bool calcvert = true;
    do {
        if (calcvert) { /* every vertex but L, two at a time */
            size_t pending = n1;
            for (size_t j = 0; j < n1; j++) {
                if (j + 1 == L) continue;
                if (pending == n1) {
                    pending = j;
                    continue;
                }
                double v[2];
                eval(f, ctx, 2, &PP(0, pending), &PP(0, j), INFINITY, INFINITY, v);
                PP(n1 - 1, pending) = v[0];
                PP(n1 - 1, j) = v[1];
                funcount += 2;
                pending = n1;
            }
            if (pending < n1) {
                PP(n1 - 1, pending) = eval1(f, ctx, &PP(0, pending), INFINITY);
                funcount++;
            }
            calcvert = false;
        }
        double VL = PP(n1 - 1, L - 1), VH = VL;
        size_t H = L;
        for (size_t j = 1; j <= n1; j++) {
            if (j == L) continue;
            double v = PP(n1 - 1, j - 1);
            if (v < VL) {
                L = j;
                VL = v;
            }
            if (v > VH) {
                H = j;
                VH = v;
            }
        }
        if (VH <= VL + convtol || VL <= -INFINITY) break;
        /* the centroid, each coordinate summed in nmmin's order (vertex 0
         * first), vertex by vertex so that the inner loop runs along a
         * column (contiguous, vectorised) */
        double *cen = &PP(0, C - 1);
        for (size_t i = 0; i < n; i++)
            cen[i] = -PP(i, H - 1);
        size_t col = 0;
        for (; col + 1 < n1; col += 2)
            add_columns(cen, &PP(0, col), &PP(0, col + 1), n);
        if (col < n1) add_columns(cen, &PP(0, col), NULL, n);
        for (size_t i = 0; i < n; i++)
            cen[i] /= (double)n;
        /* the reflection and the points that may follow it, by nmmin's
         * formulas: the expansion, the contraction when the reflection
         * replaces the worst vertex and the one when it does not */
        for (size_t i = 0; i < n; i++) {
            R[i] = (1.0 + alpha) * cen[i] - alpha * PP(i, H - 1);
            E[i] = gamm * R[i] + (1 - gamm) * cen[i];
            Cr[i] = (1 - bet) * R[i] + bet * cen[i];
            Cw[i] = (1 - bet) * PP(i, H - 1) + bet * cen[i];
        }
        /* the guess: where the reflection's value would fall were the
         * function linear, 2 mean(others) - VH (58 % right over the bench's
         * fits, against 52 % for the last step's choice) */
        double others = 0.0;
        for (size_t j = 0; j < n1; j++)
            if (j + 1 != H) others += PP(n1 - 1, j);
        double linear = 2 * others / (double)n - VH;
        next_point guess = linear < VL   ? NEXT_EXPAND
                           : linear < VH ? NEXT_CONTRACT_REFLECTED
                                         : NEXT_CONTRACT_WORST;
        const double *G = guess == NEXT_EXPAND ? E : guess == NEXT_CONTRACT_WORST ? Cw : Cr;
        double pair[2];
        /* the reflection's value is only compared with VH when not below it */
        eval(f, ctx, 2, R, G, VH, NAN, pair);
        double VR = pair[0], v;
        funcount++;
        if (VR < VL) {
            v = guess == NEXT_EXPAND ? checked(f, ctx, E, pair[1], VR) : eval1(f, ctx, E, VR);
            PP(n1 - 1, C - 1) = VR;
            for (size_t i = 0; i < n; i++)
                PP(i, C - 1) = R[i];
            funcount++;
            if (v < VR) {
                for (size_t i = 0; i < n; i++)
                    PP(i, H - 1) = E[i];
                PP(n1 - 1, H - 1) = v;
            } else {
                for (size_t i = 0; i < n; i++)
                    PP(i, H - 1) = PP(i, C - 1);
                PP(n1 - 1, H - 1) = VR;
            }
        } else {
            const double *Ct = Cw;
            next_point took = NEXT_CONTRACT_WORST;
            if (VR < VH) {
                for (size_t i = 0; i < n; i++)
                    PP(i, H - 1) = R[i];
                PP(n1 - 1, H - 1) = VR;
                Ct = Cr;
                took = NEXT_CONTRACT_REFLECTED;
            }
            v = guess == took ? checked(f, ctx, Ct, pair[1], PP(n1 - 1, H - 1))
                              : eval1(f, ctx, Ct, PP(n1 - 1, H - 1));
            funcount++;
            if (v < PP(n1 - 1, H - 1)) {
                for (size_t i = 0; i < n; i++)
                    PP(i, H - 1) = Ct[i];
                PP(n1 - 1, H - 1) = v;
            } else if (VR >= VH) {
                calcvert = true;
                size = 0.0;
                for (size_t j = 0; j < n1; j++) {
                    if (j + 1 == L) continue;
                    for (size_t i = 0; i < n; i++) {
                        PP(i, j) = bet * (PP(i, j) - PP(i, L - 1)) + PP(i, L - 1);
                        size += fabs(PP(i, j) - PP(i, L - 1));
                    }
                }
                if (size < oldsize)
                    oldsize = size;
                else
                    break; /* the polytope did not shrink: give up as nmmin does */
            }
        }
    } while (funcount <= maxit);
    double best = PP(n1 - 1, L - 1);
    for (size_t i = 0; i < n; i++)
        x[i] = PP(i, L - 1);
#undef PP
    free(P);
    free(B);
    return best;
}

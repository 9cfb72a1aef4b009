/*
 * ets_nm.c — the Nelder-Mead minimiser of R's optim (nmmin in R's
 * src/appl/optim.c, J. C. Nash's algorithm), step for step: forecast::ets
 * optimises with it, and the same simplex moves reach the same optimum, so
 * that fits agree with R's to rounding instead of to an optimiser's tolerance.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "ml/ets.h"

#define BIG 1.0e+35

/* f, with non-finite values made BIG as nmmin does. */
static double eval(lp_ets_objective f, void *ctx, const double *x, double bound)
{
    double v = f(x, bound, ctx);
    return isfinite(v) ? v : BIG;
}

double lp_ets_nelder_mead(lp_ets_objective f, void *ctx, double *x, size_t n, int maxit)
{
    const double alpha = 1.0, bet = 0.5, gamm = 2.0, intol = sqrt(DBL_EPSILON);
    double fx = f(x, INFINITY, ctx);
    if (!isfinite(fx) || n == 0) return fx;
    size_t n1 = n + 1, C = n + 2;
    /* P is (n+1) x (n+2), column-major as nmmin's P[i][j]: rows 0..n-1 are
     * coordinates, row n the function value; column C-1 the centroid. */
    double *P = malloc(n1 * C * sizeof *P);
    double *B = malloc(n * sizeof *B);
    if (!P || !B) {
        free(P);
        free(B);
        return fx;
    }
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
        if (calcvert) {
            for (size_t j = 0; j < n1; j++) {
                if (j + 1 == L) continue;
                for (size_t i = 0; i < n; i++)
                    B[i] = PP(i, j);
                PP(n1 - 1, j) = eval(f, ctx, B, INFINITY);
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
        for (size_t j = 0; j < n1; j++) {
            const double *col = &PP(0, j);
            for (size_t i = 0; i < n; i++)
                cen[i] += col[i];
        }
        for (size_t i = 0; i < n; i++)
            cen[i] /= (double)n;
        for (size_t i = 0; i < n; i++)
            B[i] = (1.0 + alpha) * PP(i, C - 1) - alpha * PP(i, H - 1);
        double v = eval(f, ctx, B, VH); /* only compared with VH when not below it */
        funcount++;
        double VR = v;
        if (VR < VL) {
            PP(n1 - 1, C - 1) = v;
            for (size_t i = 0; i < n; i++) {
                double t = gamm * B[i] + (1 - gamm) * PP(i, C - 1);
                PP(i, C - 1) = B[i];
                B[i] = t;
            }
            v = eval(f, ctx, B, VR);
            funcount++;
            if (v < VR) {
                for (size_t i = 0; i < n; i++)
                    PP(i, H - 1) = B[i];
                PP(n1 - 1, H - 1) = v;
            } else {
                for (size_t i = 0; i < n; i++)
                    PP(i, H - 1) = PP(i, C - 1);
                PP(n1 - 1, H - 1) = VR;
            }
        } else {
            if (VR < VH) {
                for (size_t i = 0; i < n; i++)
                    PP(i, H - 1) = B[i];
                PP(n1 - 1, H - 1) = VR;
            }
            for (size_t i = 0; i < n; i++)
                B[i] = (1 - bet) * PP(i, H - 1) + bet * PP(i, C - 1);
            v = eval(f, ctx, B, PP(n1 - 1, H - 1));
            funcount++;
            if (v < PP(n1 - 1, H - 1)) {
                for (size_t i = 0; i < n; i++)
                    PP(i, H - 1) = B[i];
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

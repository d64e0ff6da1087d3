// The distribution functions the engine needs, from stdlib's maintained implementations: tails and
// quantiles of t, normal and chi-square are easy to get subtly wrong by hand in the far tails.
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import normalCdfAt from '@stdlib/stats-base-dists-normal-cdf';
import normalPdfAt from '@stdlib/stats-base-dists-normal-pdf';
import normalQuantileAt from '@stdlib/stats-base-dists-normal-quantile';
import tCdfAt from '@stdlib/stats-base-dists-t-cdf';
import tQuantileAt from '@stdlib/stats-base-dists-t-quantile';

/** P(Z ≤ z) for a standard normal Z. */
export const normalCdf = (z: number): number => normalCdfAt(z, 0, 1);

/** The density of the standard normal at z. */
export const normalPdf = (z: number): number => normalPdfAt(z, 0, 1);

/** The z with P(Z ≤ z) = p. */
export const normalQuantile = (p: number): number => normalQuantileAt(p, 0, 1);

/** P(T ≤ t) for Student's t with `df` degrees of freedom (not necessarily whole). */
export const tCdf = (t: number, df: number): number => tCdfAt(t, df);

/** The t with P(T ≤ t) = p. */
export const tQuantile = (p: number, df: number): number => tQuantileAt(p, df);

/**
 * P(X ≥ x) for chi-square X with `df` degrees of freedom. Computed as 1 − CDF, which is exact
 * enough down to about 1e-15: far below any threshold a p-value is compared with.
 */
export const chiSquareSurvival = (x: number, df: number): number => Math.min(1, Math.max(0, 1 - chisquareCdf(x, df)));

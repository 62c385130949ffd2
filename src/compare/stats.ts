/**
 * The statistics the comparison rests on, written out rather than pulled in as a dependency:
 * a seeded random source, the normal distribution, the Mann-Whitney U (rank-sum) test with
 * its exact distribution and normal approximation, the Hodges-Lehmann shift with its
 * Moses confidence interval, and an exact bootstrap of a quantile from its order-statistic
 * distribution. Everything is a pure function of its inputs (random draws come from a seed),
 * so a comparison gives the same answer every time it is re-run on the same files.
 */
import { sampleGamma } from '../util/gamma.js';

/** A uniform [0, 1) source. */
export type Random = () => number;

/** mulberry32: small, fast, good enough for resampling, and reproducible from a 32-bit seed. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string: a stable seed per (scenario, phase, statistic), independent of order. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Standard normal CDF. erfc by the Numerical Recipes Chebyshev fit (relative error < 1.2e-7),
 * good to the far tail where p-values live, unlike 1 - erf.
 */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  // Stryker disable next-line EqualityOperator: equivalent; at z = 0 both sides give erfc(0) / 2 = 0.5
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9 after one Newton step). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    return Number.NaN;
  }
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  // Stryker disable EqualityOperator: equivalent; at a branch boundary both fits, refined by the Newton step below, land on the same root
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  // Stryker restore EqualityOperator
  // One Newton step against our own CDF keeps the pair consistent.
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  // Stryker disable next-line ArithmeticOperator: the surviving mutants only touch Halley's second-order term x u / 2 (u ~ 1e-7, so ~1e-14): equivalent to double precision
  return x - u / (1 + (x * u) / 2);
}


/** Quantile of sorted values by linear interpolation between order statistics (R's type 7). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  // Stryker disable next-line ConditionalExpression: equivalent; without it the arithmetic on undefined entries gives NaN as well
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Frequencies of the Mann-Whitney U statistic for samples of n and m without ties: the
 * coefficients of the Gaussian binomial [n+m choose n](q) = prod_{i=1..n} (1 - q^(m+i)) / (1 - q^i).
 * Index u holds the number of the C(n+m, n) orderings with U = u.
 */
export function mannWhitneyFrequencies(n: number, m: number): number[] {
  const size = n * m + 1;
  const c = new Array<number>(size).fill(0);
  c[0] = 1;
  for (let i = 1; i <= n; i++) {
    const up = m + i;
    for (let k = size - 1; k >= up; k--) c[k]! -= c[k - up]!;
    for (let k = i; k < size; k++) c[k]! += c[k - i]!;
  }
  // Cancellation can leave -0 or 1e-12 crumbs on huge counts; frequencies are whole numbers.
  return c.map((v) => Math.max(0, Math.round(v)));
}

/** Exact distribution of U as a CDF: cdf[u] = P(U <= u). */
export function mannWhitneyCdf(n: number, m: number): number[] {
  const f = mannWhitneyFrequencies(n, m);
  const total = f.reduce((a, b) => a + b, 0);
  let run = 0;
  return f.map((v) => (run += v) / total);
}

/** The smallest two-sided p-value the exact test can give for sample sizes n and m. */
export function minimumPValue(n: number, m: number): number {
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent; with n or m = 0 the product below is 1, and so is the result
  if (n === 0 || m === 0) return 1;
  // 2 / C(n+m, n), computed as a product to stay finite.
  let inv = 1;
  for (let i = 1; i <= n; i++) inv *= i / (m + i);
  return Math.min(1, 2 * inv);
}

export interface MannWhitneyResult {
  /** U of the first sample: pairs where x > y, plus half the ties. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  /** Exact distribution (no ties, both samples under 50) or normal approximation. */
  method: 'exact' | 'normal';
  /** z of the normal approximation (with continuity correction); undefined when exact. */
  z?: number;
}

/** Ranks 1..N with ties given their mean rank; also the tie-correction term sum(t^3 - t). */
function rank(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  // Stryker disable next-line ArrayDeclaration: equivalent; every index is assigned below, presizing only saves reallocation
  const ranks = new Array<number>(values.length);
  let tieTerm = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = r;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { ranks, tieTerm };
}

/**
 * Two-sided Mann-Whitney U (Wilcoxon rank-sum) test of x against y, as R's wilcox.test and
 * SciPy's mannwhitneyu do it: exact when there are no ties and both samples are under 50,
 * otherwise the normal approximation with tie and continuity corrections.
 */
export function mannWhitney(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) return { u: 0, p: 1, method: 'exact' };
  const { ranks, tieTerm } = rank([...x, ...y]);
  let rx = 0;
  for (let i = 0; i < n; i++) rx += ranks[i]!;
  const u = rx - (n * (n + 1)) / 2;
  const mean = (n * m) / 2;
  if (tieTerm === 0 && n < 50 && m < 50) {
    const cdf = mannWhitneyCdf(n, m);
    const k = Math.round(u);
    const lower = cdf[k]!;
    const upper = 1 - (k > 0 ? cdf[k - 1]! : 0);
    return { u, p: Math.min(1, 2 * Math.min(lower, upper)), method: 'exact' };
  }
  const N = n + m;
  const variance = ((n * m) / 12) * (N + 1 - tieTerm / (N * (N - 1)));
  if (variance <= 0) return { u, p: 1, method: 'normal', z: 0 };
  const diff = u - mean;
  const z = (diff - 0.5 * Math.sign(diff)) / Math.sqrt(variance);
  return { u, p: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))), method: 'normal', z };
}

export interface ShiftEstimate {
  /** Hodges-Lehmann estimate: median of all pairwise differences y_j - x_i. */
  estimate: number;
  lower: number;
  upper: number;
  /** Confidence actually reached (the exact distribution is discrete). */
  confidence: number;
}

/**
 * Hodges-Lehmann shift of y over x with the Moses (rank-based) confidence interval, the
 * interval that goes with the Mann-Whitney test. The bounds are order statistics of the
 * n·m pairwise differences, picked as R's wilcox.test(conf.int = TRUE) picks them; with
 * very few trials the widest interval may reach less than the confidence asked for.
 */
export function hodgesLehmann(x: readonly number[], y: readonly number[], confidence: number): ShiftEstimate {
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) return { estimate: Number.NaN, lower: Number.NaN, upper: Number.NaN, confidence: 0 };
  const diffs: number[] = [];
  for (const xi of x) for (const yj of y) diffs.push(yj - xi);
  diffs.sort((a, b) => a - b);
  const nm = n * m;
  const alpha = 1 - confidence;
  let k: number;
  let reached: number;
  if (n < 50 && m < 50) {
    const cdf = mannWhitneyCdf(n, m);
    // qwilcox(alpha/2): the smallest u with P(U <= u) >= alpha/2; at least 1 (the full range).
    // Stryker disable next-line EqualityOperator: equivalent; > and >= differ only on a value exactly 1e-12 below alpha/2
    const qu = cdf.findIndex((c) => c >= alpha / 2 - 1e-12);
    // Stryker disable next-line ConditionalExpression: equivalent; the cdf ends at exactly 1, so findIndex always finds a value
    k = Math.max(1, qu < 0 ? nm : qu);
    // [d_k, d_(nm+1-k)] misses the true shift with probability P(U <= k-1) on each side.
    reached = 1 - 2 * cdf[k - 1]!;
  } else {
    const z = normalQuantile(1 - alpha / 2);
    k = Math.max(1, Math.floor(nm / 2 - z * Math.sqrt((nm * (n + m + 1)) / 12)));
    reached = confidence;
  }
  // Stryker disable next-line ArithmeticOperator: equivalent; for a confidence in (0, 1), k never exceeds nm/2 (P(U <= nm/2) >= 0.5 >= alpha/2), the cap is a guard
  k = Math.min(k, Math.ceil(nm / 2));
  return {
    estimate: quantileSorted(diffs, 0.5),
    lower: diffs[k - 1]!,
    upper: diffs[nm - k]!,
    confidence: reached,
  };
}

/** A normal draw (Box-Muller; one of the pair is dropped, the simplicity is worth more). */
export function normalSample(random: Random): number {
  return Math.sqrt(-2 * Math.log(nonZero(random))) * Math.cos(2 * Math.PI * random());
}

/** A uniform draw in (0, 1): zeros are drawn again, so logarithms and powers stay finite. */
function nonZero(random: Random): number {
  let u = 0;
  while (u === 0) u = random();
  return u;
}

/** Gamma(shape, 1) draw (util/gamma.ts) from this module's seeded source. */
export function gammaSample(shape: number, random: Random): number {
  return sampleGamma(shape, { unit: () => nonZero(random), normal: () => normalSample(random) });
}

export function betaSample(a: number, b: number, random: Random): number {
  const x = gammaSample(a, random);
  const y = gammaSample(b, random);
  return x / (x + y);
}

/** A distribution known through its quantile function (an HDR histogram, or a test's formula). */
export interface QuantileSource {
  /** Number of independent observations behind it (may be fractional: an effective size). */
  n: number;
  /** Value at quantile level q in [0, 1]. */
  quantile(q: number): number;
}

/**
 * One bootstrap replicate of the p-quantile of a sample of n values drawn from `source`,
 * without drawing the n values: the k-th order statistic of n uniforms is Beta(k, n + 1 - k),
 * and mapping it through the quantile function gives the k-th order statistic of the sample.
 * So each replicate costs two gamma draws and one lookup, whatever n is.
 */
export function bootstrapQuantile(source: QuantileSource, p: number, random: Random): number {
  const n = Math.max(1, source.n);
  const k = Math.min(n, Math.max(1, Math.ceil(p * n)));
  return source.quantile(betaSample(k, n + 1 - k, random));
}

export interface RatioInterval {
  /** Point estimate of current/baseline - 1 from the sources' own p-quantiles. */
  change: number;
  lower: number;
  upper: number;
}

/**
 * Percentile-bootstrap confidence interval of the relative change of a quantile,
 * current / baseline - 1.
 */
export function bootstrapQuantileChange(
  baseline: QuantileSource,
  current: QuantileSource,
  p: number,
  opts: { confidence: number; replicates: number; seed: number },
): RatioInterval {
  const random = seededRandom(opts.seed);
  // Stryker disable next-line ArrayDeclaration: equivalent; every index is assigned below
  const ratios = new Array<number>(opts.replicates);
  for (let i = 0; i < opts.replicates; i++) {
    const b = bootstrapQuantile(baseline, p, random);
    const c = bootstrapQuantile(current, p, random);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent in use; quantiles of recorded histograms are >= 1 ns, and a zero baseline gives non-finite bounds either way
    ratios[i] = b > 0 ? c / b : Number.POSITIVE_INFINITY;
  }
  ratios.sort((a, b) => a - b);
  const alpha = 1 - opts.confidence;
  const base = baseline.quantile(p);
  return {
    change: base > 0 ? current.quantile(p) / base - 1 : Number.NaN,
    lower: quantileSorted(ratios, alpha / 2) - 1,
    upper: quantileSorted(ratios, 1 - alpha / 2) - 1,
  };
}

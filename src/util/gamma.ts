/**
 * Gamma(shape, 1) deviates, for the two places that need them: bursty arrival schedules
 * (runner/arrivals.ts) and the order-statistic bootstrap of compare (Beta from two gammas,
 * compare/stats.ts). Each keeps its own seeded generator, so the draws come in through
 * `GammaDraws` and a given seed gives the same schedule or interval it always did.
 */

/** Where a sampler's draws come from. */
export interface GammaDraws {
  /** A uniform draw in (0, 1]: never 0, so its logarithm and its powers stay finite. */
  unit(): number;
  /** A standard normal draw. */
  normal(): number;
}

/**
 * A Gamma(shape, 1) deviate by Marsaglia and Tsang (2000); shapes below 1 by their boost
 * Gamma(shape + 1) x U^(1/shape).
 */
export function sampleGamma(shape: number, draws: GammaDraws): number {
  // A shape <= 0 or NaN would make the loop below spin forever on NaN.
  if (!(shape > 0) || !Number.isFinite(shape)) throw new RangeError(`gamma shape must be a finite number > 0, got ${shape}`);
  // Stryker disable next-line EqualityOperator: equivalent; at shape 1 the boost u^(1/1) x Gamma(2) is Gamma(1) as well
  if (shape < 1) return sampleGamma(shape + 1, draws) * Math.pow(draws.unit(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    // Stryker disable EqualityOperator,ConditionalExpression: equivalent; v <= 0 needs |x| >= 3 sqrt(d) >= 2.45, where both acceptance tests below reject (0.0331 x^4 > 1, log of a negative v is NaN)
    do {
      x = draws.normal();
      // Stryker disable next-line ArithmeticOperator: 1 - c x is the same distribution, x is a symmetric normal
      v = 1 + c * x;
    } while (v <= 0);
    // Stryker restore EqualityOperator,ConditionalExpression
    v = v * v * v;
    const u = draws.unit();
    // Stryker disable next-line EqualityOperator,ConditionalExpression: equivalent; the squeeze only saves the log() of the exact test below (dropping it changes no draw's fate), and < vs <= differ on a set of probability zero
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    // Stryker disable next-line EqualityOperator: equivalent; < vs <= differ on a set of probability zero
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

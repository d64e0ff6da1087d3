// Experiment statistics: pure functions from sufficient statistics to results (see docs/statistics.md).
export * from './analyze';
export { bayesianTest, type BayesianResult, type GaussianPrior } from './bayesian';
export { adjustPValues, type Correction } from './corrections';
export { effectOf, type Difference, type Effect } from './effect';
export { sequentialRho, sequentialTest, welchTest, type Alternative, type FrequentistResult, type Interval } from './frequentist';
export { SRM_THRESHOLD, sampleRatioMismatch, type SrmResult } from './srm';
export { armMoments, DegenerateInput, pooledTheta, type ArmMoments, type MeanStatistic, type ProportionStatistic, type RatioStatistic, type Sums, type VariantStatistic } from './statistics';

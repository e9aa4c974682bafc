package io.github.gorl.analysis;

/**
 * The outcome of Hartigan's dip test of unimodality for one sample.
 *
 * @param statistic the dip {@code D_n = inf_{F unimodal} sup_x |F_n(x) - F(x)|}, in {@code [1/(2n), 1/4]}
 *     (for {@code n >= 2}); larger means farther from every unimodal distribution
 * @param pValue the probability, under the uniform null (the least favourable unimodal distribution), of a dip at
 *     least as large; small values reject unimodality
 * @param n the sample size
 */
public record DipResult(double statistic, double pValue, int n) {

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException if the statistic is not in {@code [0, 1/2]}, the p-value not in
     *     {@code [0, 1]}, or {@code n < 1}
     */
    public DipResult {
        if (!(statistic >= 0 && statistic <= 0.5)) {
            throw new IllegalArgumentException("statistic must be in [0, 0.5], got " + statistic);
        }
        if (!(pValue >= 0 && pValue <= 1)) {
            throw new IllegalArgumentException("pValue must be in [0, 1], got " + pValue);
        }
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
    }

    /**
     * Whether unimodality is rejected at the given level.
     *
     * @param alpha the significance level, such as {@code 0.05}
     * @return {@code pValue < alpha}
     */
    public boolean rejectsUnimodality(double alpha) {
        return pValue < alpha;
    }
}

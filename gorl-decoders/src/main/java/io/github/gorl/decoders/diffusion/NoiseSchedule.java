package io.github.gorl.decoders.diffusion;

import io.github.gorl.api.Validate;

/**
 * The forward-noising schedule of a {@link DiffusionDecoder}: {@code x_t = sqrt(abar_t) a + sqrt(1 - abar_t) eps}
 * for discrete timesteps {@code t = 0 .. T-1}, with {@code abar_t = prod_{i <= t} (1 - beta_i)} strictly
 * decreasing from nearly 1 to nearly 0.
 */
public enum NoiseSchedule {

    /**
     * Nichol and Dhariwal's cosine schedule (2021): {@code abar(u) = cos^2(((u + 0.008) / 1.008) pi / 2)},
     * {@code beta_i = min(1 - abar((i + 1) / T) / abar(i / T), 0.999)}. Adds noise evenly in
     * log-signal-to-noise; the default.
     */
    COSINE {
        @Override
        double[] betas(int timesteps) {
            double[] betas = new double[timesteps];
            for (int i = 0; i < timesteps; i++) {
                betas[i] = Math.min(1 - cosineAlphaBar((i + 1.0) / timesteps) / cosineAlphaBar((double) i / timesteps),
                        MAX_BETA);
            }
            return betas;
        }
    },

    /**
     * Ho et al.'s linear schedule (2020): {@code beta} evenly spaced from {@code 1e-4 * 1000 / T} to
     * {@code 0.02 * 1000 / T} (the DDPM values for {@code T = 1000}, rescaled so that any {@code T} reaches
     * the same final noise level), capped at 0.999.
     */
    LINEAR {
        @Override
        double[] betas(int timesteps) {
            double scale = 1000.0 / timesteps;
            double first = 1e-4 * scale;
            double last = 0.02 * scale;
            double[] betas = new double[timesteps];
            for (int i = 0; i < timesteps; i++) {
                double fraction = timesteps == 1 ? 0 : (double) i / (timesteps - 1);
                betas[i] = Math.min(first + (last - first) * fraction, MAX_BETA);
            }
            return betas;
        }
    },

    /**
     * The authors' {@code linear_alpha_bar}: {@code abar} itself linear in the noise time {@code u = (t + 1) / T},
     * {@code abar(u) = alphaMin + (1 - alphaMin)(1 - u)} with {@code alphaMin = 1e-3} (their default
     * {@code diffusion_alpha_min}; {@code alpha_max = 1}), so {@code abar} falls from {@code 1 - 0.999 / T} at
     * {@code t = 0} to {@code 1e-3} at {@code t = T - 1}, and the clean action sits at {@code u = 0}
     * ({@code abar = 1}). Meant for {@code T} equal to the sampler steps (their decoder trains on the sampling grid).
     */
    LINEAR_ALPHA_BAR {
        @Override
        double[] betas(int timesteps) {
            double[] alphaBars = alphaBars(timesteps);
            double[] betas = new double[timesteps];
            double previous = 1;
            for (int t = 0; t < timesteps; t++) {
                betas[t] = 1 - alphaBars[t] / previous;
                previous = alphaBars[t];
            }
            return betas;
        }

        @Override
        public double[] alphaBars(int timesteps) {
            Validate.positive("timesteps", timesteps);
            double[] alphaBars = new double[timesteps];
            for (int t = 0; t < timesteps; t++) {
                alphaBars[t] = LINEAR_ALPHA_MIN + (1 - LINEAR_ALPHA_MIN) * (1 - (t + 1.0) / timesteps);
            }
            return alphaBars;
        }
    };

    private static final double MAX_BETA = 0.999;
    private static final double COSINE_OFFSET = 0.008;
    private static final double LINEAR_ALPHA_MIN = 1e-3;

    abstract double[] betas(int timesteps);

    private static double cosineAlphaBar(double u) {
        double c = Math.cos((u + COSINE_OFFSET) / (1 + COSINE_OFFSET) * Math.PI / 2);
        return c * c;
    }

    /**
     * The cumulative signal levels {@code abar_t = prod_{i <= t} (1 - beta_i)}, in double precision.
     *
     * @param timesteps {@code T > 0}
     * @return {@code [T]}, strictly decreasing, in {@code (0, 1)}
     * @throws IllegalArgumentException if {@code timesteps <= 0}
     */
    public double[] alphaBars(int timesteps) {
        Validate.positive("timesteps", timesteps);
        double[] betas = betas(timesteps);
        double[] alphaBars = new double[timesteps];
        double product = 1;
        for (int t = 0; t < timesteps; t++) {
            product *= 1 - betas[t];
            alphaBars[t] = product;
        }
        return alphaBars;
    }
}

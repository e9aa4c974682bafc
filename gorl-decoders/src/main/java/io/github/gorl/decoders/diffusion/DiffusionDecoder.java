package io.github.gorl.decoders.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.Validate;
import io.github.gorl.decoders.MlpDecoder;
import io.github.gorl.decoders.TimeFrequencies;
import io.github.gorl.decoders.nn.Scalars;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The diffusion decoder of GoRL: a DDPM-trained noise predictor sampled by DDIM from {@code x = eps}, in a
 * parameterization where a network with a zero output layer is exactly the identity.
 *
 * <p><b>Schedule.</b> {@code T} training timesteps ({@link Builder#trainingTimesteps}, default 100) with
 * {@code abar_t}, {@code t = 0 .. T-1}, from a {@link NoiseSchedule} (cosine by default); write
 * {@code alpha_t = sqrt(abar_t)}, {@code sigma_t = sqrt(1 - abar_t)}. The forward process is
 * {@code x_t = alpha_t a + sigma_t eps}.
 *
 * <p><b>Sampling grid.</b> {@code steps} (default 10) DDIM steps on the strided subsequence with stride
 * {@code r = T / steps}: {@code tau = T - r, T - 2r, ..., r, 0}, then one last step to the clean action
 * ({@code abar = 1}), as in Song et al.'s original DDIM code ("leading" spacing). Every timestep {@code t}
 * has the successor {@code s(t) = t - r}, with {@code abar_{s} = 1} when {@code t - r < 0}. Starting at
 * {@code T - r} rather than {@code T - 1} keeps {@code alpha_t} away from 0 (0.14 instead of 5e-4 for the
 * cosine schedule with {@code T = 100}): the first DDIM step then amplifies network errors about 1x,
 * not hundreds of times.
 *
 * <p><b>The DDIM step</b> from {@code t} to {@code s = s(t)} with noise prediction {@code epsHat}
 * ({@code eta = 0}) is linear: {@code x_s = alpha_s (x_t - sigma_t epsHat) / alpha_t + sigma_s epsHat =
 * A_t x_t + B_t epsHat} with {@code A_t = alpha_s / alpha_t > 1} and {@code B_t = sigma_s - A_t sigma_t < 0}.
 *
 * <p><b>Identity parameterization.</b> Plain DDIM with {@code epsHat = 0} returns
 * {@code eps / alpha_{T-r}}, not {@code eps}; with the exact noise posterior of {@code N(0, I)} data
 * ({@code epsHat = sigma_t x_t}) each step still shrinks {@code x} by {@code cos(theta_t - theta_s)}, where
 * {@code abar = cos^2 theta}. So the network {@code f} predicts a residual on top of the base prediction
 * that makes each DDIM step the identity:
 * <pre>
 *   epsHat(s, x_t, t) = c_t x_t + f(normalize(s), x_t, embed(t / T)),
 *   c_t = (1 - A_t) / B_t = sin((theta_t + theta_s) / 2) / cos((theta_t - theta_s) / 2)
 * </pre>
 * ({@code c_t} is the noise level at the step's angular midpoint, and tends to {@code sigma_t} as the
 * stride shrinks). Then {@code A_t + B_t c_t = 1} and
 * the step is {@code x_s = x_t + B_t f}, which is how it is computed: with a zero output layer
 * {@code f = 0} and {@code x + B_t * 0 = x} exactly, so {@code decode(s, eps) == eps} bit for bit after
 * {@link #resetToIdentity()}. In real arithmetic this is exactly DDIM with the prediction {@code epsHat}.
 *
 * <p><b>Training</b> (the DDPM loss with the same parameterization): for a pair {@code (s, a)} draw
 * {@code t ~ U{0 .. T-1}} and {@code eps ~ N(0, I)} ({@code samplesPerAction} draws per pair),
 * <pre>
 *   x_t = alpha_t a + sigma_t eps,   loss = mean || c_t x_t + f(s, x_t, t / T) - eps ||^2
 * </pre>
 *
 * <p><b>Stochastic sampling</b> ({@link Builder#eta}, default 0): with {@code eta > 0} each step is
 * Song et al.'s DDIM-eta step {@code x_s = alpha_s x0Hat + sqrt(1 - abar_s - sigmaEta^2) epsHat + sigmaEta z}
 * with {@code sigmaEta = eta sqrt((1 - abar_s) / (1 - abar_t)) sqrt(1 - abar_t / abar_s)} and fresh
 * {@code z ~ N(0, I)} from the decoder's sampling stream, for exploration. {@code decode} is then
 * stochastic, so the exact identity of {@link #resetToIdentity()} holds for {@code eta = 0} only.
 *
 * <p><b>The authors' parameterization</b> ({@link Builder#referenceParameterization()}, off by default). Their
 * "epsilon-delta" decoder (GoRL {@code src/gorl/algorithms/decoders.py}, {@code DiffusionDecoder} with
 * {@code parameterization = "epsilon_delta"}) is this same identity-centred algebra: their network output
 * {@code outputScale * net} is trained on the target {@code eps - c_t x_t} ({@code epsilon_delta}) and each DDIM
 * step is {@code x_s = x_t + B_t (outputScale * net)}. What differs is the setting around it: the schedule
 * {@link NoiseSchedule#LINEAR_ALPHA_BAR} on a grid of {@code T = steps = 10} noise levels (training draws one of the
 * 10 sampling levels, no finer grid), the network's time input {@code (t + 1) / T} (the noise level's time, with
 * the clean action at 0: {@link Parameterization#EPSILON_DELTA}), time frequencies without {@code pi}, output scale
 * 0.25, and the pairwise term with weight 1e-3. With a zero output layer their decode is, like ours, the exact
 * identity: every step adds {@code B_t * (0.25 * 0) = 0}, so {@code decode(s, eps) == eps} bit for bit.
 */
public final class DiffusionDecoder extends MlpDecoder {

    /** The {@link io.github.gorl.decoders.nn.TensorFile} kind of saved diffusion decoders. */
    public static final String FILE_KIND = "diffusion-decoder";

    private static final long NOISE_SALT = 0x2545F4914F6CDD1DL;

    private final int trainingTimesteps;
    private final NoiseSchedule schedule;
    private final double eta;
    private final Parameterization parameterization;
    private final int stride;
    // Per training timestep t: alpha_t, sigma_t and the identity coefficient c_t.
    private final float[] signal;
    private final float[] noise;
    private final float[] identityCoefficient;
    // Per sampler step k (execution order): coefficient of x, of f, and of the fresh noise z.
    private final double[] stepX;
    private final double[] stepF;
    private final double[] stepNoise;
    private SplittableRandom stepRandom;

    private DiffusionDecoder(Builder builder) {
        super(builder);
        this.trainingTimesteps = builder.trainingTimesteps;
        this.schedule = builder.schedule;
        this.eta = builder.eta;
        this.parameterization = builder.parameterization;
        this.stride = trainingTimesteps / steps();
        double[] alphaBars = schedule.alphaBars(trainingTimesteps);
        signal = new float[trainingTimesteps];
        noise = new float[trainingTimesteps];
        identityCoefficient = new float[trainingTimesteps];
        for (int t = 0; t < trainingTimesteps; t++) {
            double[] ab = {alphaBars[t], successorAlphaBar(alphaBars, t)};
            double a = Math.sqrt(ab[1] / ab[0]);
            double b = Math.sqrt(1 - ab[1]) - a * Math.sqrt(1 - ab[0]);
            signal[t] = (float) Math.sqrt(ab[0]);
            noise[t] = (float) Math.sqrt(1 - ab[0]);
            identityCoefficient[t] = (float) ((1 - a) / b);
        }
        int steps = steps();
        stepX = new double[steps];
        stepF = new double[steps];
        stepNoise = new double[steps];
        for (int k = 0; k < steps; k++) {
            int t = timestep(k);
            double abT = alphaBars[t];
            double abS = successorAlphaBar(alphaBars, t);
            double a = Math.sqrt(abS / abT);
            double b = Math.sqrt(1 - abS) - a * Math.sqrt(1 - abT);
            double c = (1 - a) / b;
            double sigmaEta = eta * Math.sqrt((1 - abS) / (1 - abT)) * Math.sqrt(1 - abT / abS);
            double bEta = Math.sqrt(Math.max(0, 1 - abS - sigmaEta * sigmaEta)) - a * Math.sqrt(1 - abT);
            stepX[k] = a + bEta * c; // exactly 1 in real arithmetic when eta = 0 (unused then)
            stepF[k] = bEta;
            stepNoise[k] = sigmaEta;
        }
    }

    private double successorAlphaBar(double[] alphaBars, int t) {
        return t - stride >= 0 ? alphaBars[t - stride] : 1.0;
    }

    /** The training timestep of sampler step {@code k}: {@code T - (k + 1) r}. */
    private int timestep(int step) {
        return trainingTimesteps - (step + 1) * stride;
    }

    /**
     * What the network's time input is, for the identity-centred noise prediction
     * {@code epsHat = c_t x_t + f(s, x_t, time)} that both share.
     */
    public enum Parameterization {
        /** This library's default: time input {@code t / T} for training timestep {@code t = 0 .. T-1}. */
        IDENTITY_RESIDUAL,
        /**
         * The authors' {@code epsilon_delta}: time input {@code (t + 1) / T}, the time of the noise level on a grid
         * where the clean action is time 0 and the noisiest level time 1.
         */
        EPSILON_DELTA
    }

    /** The network's time input for training timestep {@code t}. */
    private double timeInput(int t) {
        return parameterization == Parameterization.EPSILON_DELTA ? (t + 1.0) / trainingTimesteps
                : (double) t / trainingTimesteps;
    }

    /**
     * A builder with the defaults: hidden layers 4 x 128, 10 DDIM steps, {@code T = 100}, cosine schedule,
     * {@code eta = 0}, 8-dim time embedding, observation clip 10, no gradient clipping.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected void onInitialize(long decoderSeed) {
        stepRandom = new SplittableRandom(decoderSeed ^ NOISE_SALT);
    }

    /**
     * The network's time input at sampler step {@code k}: {@code tau_k / T}, or {@code (tau_k + 1) / T} with
     * {@link Parameterization#EPSILON_DELTA}.
     *
     * @param step {@code 0 <= step < steps()}
     * @return the time input, in {@code [0, 1]}
     */
    @Override
    protected double samplingTime(int step) {
        return timeInput(timestep(step));
    }

    /**
     * {@inheritDoc}
     *
     * @return whether {@code eta = 0}: the stochastic sampler adds noise even when the network's output is zero
     */
    @Override
    protected boolean zeroOutputIsIdentity() {
        return eta == 0;
    }

    /**
     * The DDIM step {@code x_s = x_t + B_t f} ({@code eta = 0}), or the DDIM-eta step
     * {@code x_s = (A_t + B_t(eta) c_t) x_t + B_t(eta) f + sigmaEta z}.
     *
     * @param step the sampler step
     * @param x {@code x_t}, {@code [batch, actionDim]}
     * @param residual the network output {@code f}, {@code [batch, actionDim]}
     * @return {@code x_s}, {@code [batch, actionDim]}
     */
    @Override
    protected NDArray samplerStep(int step, NDArray x, NDArray residual) {
        if (eta == 0 || stepNoise[step] == 0) {
            return x.add(Scalars.times(residual, stepF[step]));
        }
        int n = Math.toIntExact(x.size());
        NDArray z = x.getManager().create(standardNormal(stepRandom, n), x.getShape());
        return Scalars.times(x, stepX[step]).add(Scalars.times(residual, stepF[step]))
                .add(Scalars.times(z, stepNoise[step]));
    }

    /**
     * The DDPM loss {@code mean ||c_t x_t + f(s, x_t, t / T) - eps||^2} with {@code x_t = alpha_t a + sigma_t eps}.
     *
     * @param normalizedObservations {@code [rows, observationDim]}
     * @param actions {@code [rows, actionDim]}
     * @param random the source of {@code t} and {@code eps}
     * @return the scalar loss
     */
    @Override
    protected NDArray trainingLoss(NDArray normalizedObservations, NDArray actions, SplittableRandom random) {
        NDManager scope = actions.getManager();
        int rows = Math.toIntExact(actions.getShape().get(0));
        float[] alpha = new float[rows];
        float[] sigma = new float[rows];
        float[] c = new float[rows];
        float[] time = new float[rows];
        for (int i = 0; i < rows; i++) {
            int t = random.nextInt(trainingTimesteps);
            alpha[i] = signal[t];
            sigma[i] = noise[t];
            c[i] = identityCoefficient[t];
            time[i] = (float) timeInput(t);
        }
        Shape column = new Shape(rows, 1);
        NDArray eps = sourceLatents(actions, random);
        NDArray xt = actions.mul(scope.create(alpha, column)).addi(eps.mul(scope.create(sigma, column)));
        NDArray residual = network(normalizedObservations, xt, scope.create(time, column));
        NDArray epsHat = xt.mul(scope.create(c, column)).addi(residual);
        return epsHat.sub(eps).square().mean();
    }

    @Override
    protected String fileKind() {
        return FILE_KIND;
    }

    @Override
    protected Map<String, int[]> architecture() {
        // c_t and the sampler grid depend on T, the steps and the schedule: a network trained with other
        // values predicts another residual.
        Map<String, int[]> dims = new LinkedHashMap<>();
        dims.put("trainingTimesteps", new int[] {trainingTimesteps});
        dims.put("steps", new int[] {steps()});
        dims.put("schedule", new int[] {schedule.ordinal()});
        dims.put("parameterization", new int[] {parameterization.ordinal()});
        return dims;
    }

    @Override
    protected Map<String, Object> samplerConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("schedule", schedule.name());
        config.put("trainingTimesteps", trainingTimesteps);
        config.put("eta", eta);
        config.put("parameterization", parameterization == Parameterization.EPSILON_DELTA
                ? "epsilon-delta (epsHat = c_t x_t + f, time input (t + 1) / T)"
                : "identity-residual epsilon (epsHat = c_t x_t + f)");
        return config;
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code "diffusion"}
     */
    @Override
    public String name() {
        return "diffusion";
    }

    /** Options of a {@link DiffusionDecoder}; see {@link MlpDecoder.Builder} for the shared ones. */
    public static final class Builder extends MlpDecoder.Builder<Builder> {

        private int trainingTimesteps = 100;
        private NoiseSchedule schedule = NoiseSchedule.COSINE;
        private double eta;
        private Parameterization parameterization = Parameterization.IDENTITY_RESIDUAL;

        private Builder() {
            super(128, 128, 128, 128);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * The number {@code T} of discrete training timesteps. Default 100. Must be a multiple of
         * {@code steps} (checked by {@link #build()}).
         *
         * @param count {@code T > 0}
         * @return this builder
         */
        public Builder trainingTimesteps(int count) {
            this.trainingTimesteps = Validate.positive("trainingTimesteps", count);
            return this;
        }

        /**
         * The noise schedule. Default {@link NoiseSchedule#COSINE}.
         *
         * @param noiseSchedule the schedule
         * @return this builder
         */
        public Builder schedule(NoiseSchedule noiseSchedule) {
            this.schedule = Validate.notNull("schedule", noiseSchedule);
            return this;
        }

        /**
         * The DDIM stochasticity: 0 (default) is the deterministic DDIM map, 1 matches DDPM's posterior
         * variance. Values above 0 make {@code decode} stochastic (exploration experiments).
         *
         * @param value in {@code [0, 1]}
         * @return this builder
         */
        public Builder eta(double value) {
            this.eta = Validate.inRange("eta", value, 0.0, 1.0);
            return this;
        }

        /**
         * The network's time input. Default {@link Parameterization#IDENTITY_RESIDUAL}.
         *
         * @param value not null
         * @return this builder
         */
        public Builder parameterization(Parameterization value) {
            this.parameterization = Validate.notNull("parameterization", value);
            return this;
        }

        /**
         * The authors' diffusion decoder (their {@code gorl_diffusion.toml} on DMControl): parameterization
         * {@link Parameterization#EPSILON_DELTA}, schedule {@link NoiseSchedule#LINEAR_ALPHA_BAR}, 10 steps on
         * {@code T = 10} noise levels, time frequencies {@link TimeFrequencies#POWERS_OF_TWO}, output scale 0.25 and
         * pairwise loss weight 1e-3. Layer sizes and every other option stay as set; later calls override.
         *
         * @return this builder
         */
        public Builder referenceParameterization() {
            return parameterization(Parameterization.EPSILON_DELTA).schedule(NoiseSchedule.LINEAR_ALPHA_BAR)
                    .steps(10).trainingTimesteps(10).timeFrequencies(TimeFrequencies.POWERS_OF_TWO).outputScale(0.25)
                    .pairwiseLossWeight(1e-3);
        }

        /**
         * Builds the decoder; call {@link DiffusionDecoder#initialize} before use.
         *
         * @return the decoder
         * @throws IllegalArgumentException if {@code trainingTimesteps} is not a positive multiple of
         *     {@code steps}
         */
        public DiffusionDecoder build() {
            if (trainingTimesteps < steps() || trainingTimesteps % steps() != 0) {
                throw new IllegalArgumentException("trainingTimesteps must be a multiple of steps (the sampling"
                        + " grid is every (trainingTimesteps / steps)-th timestep), got trainingTimesteps="
                        + trainingTimesteps + ", steps=" + steps());
            }
            return new DiffusionDecoder(this);
        }
    }
}

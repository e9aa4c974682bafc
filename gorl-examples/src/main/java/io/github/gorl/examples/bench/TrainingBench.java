package io.github.gorl.examples.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.FitResult;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.Phase;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import io.github.gorl.core.DecoderRefit;
import io.github.gorl.core.GoRL;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import io.github.gorl.envs.Envs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time of a GoRL training run goes: environment stepping, decoder sampling inside the latent env,
 * the optimizer's own work (policy inference and updates), decoder phases and evaluations. Prints a table.
 *
 * <p>Run: {@code ./gorl bench training [task] [steps]}, for instance {@code ./gorl bench training Pendulum 100000}.
 */
public final class TrainingBench {

    private TrainingBench() {}

    /**
     * Runs the benchmark for GoRL-FM and Gaussian PPO side by side.
     *
     * @param args optional task name and encoder steps
     */
    public static void main(String[] args) {
        String task = args.length > 0 ? args[0] : "Pendulum";
        long steps = args.length > 1 ? Long.parseLong(args[1]) : 100_000;
        System.out.printf(Locale.ROOT, "Training throughput on %s, %,d encoder steps, 16 envs, %s%n%n", task, steps,
                "1 PyTorch thread");
        System.out.println("| run | env steps/s | env stepping | decoder sampling | optimizer (inference + updates)"
                + " | decoder phases | evaluations | wall s | final return |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        run("GoRL-FM (2 stages)", task, steps, true);
        run("Gaussian PPO", task, steps, false);
    }

    private static void run(String label, String task, long steps, boolean flow) {
        PhaseClock clock = new PhaseClock();
        try (VectorEnv train = Envs.sync(i -> Envs.make(task), 16);
                VectorEnv eval = Envs.sync(i -> Envs.make(task), 8)) {
            Timed timedEnv = new Timed(train, clock);
            GenerativeDecoder decoder = flow ? new TimedDecoder(FlowMatchingDecoder.builder().build(), clock)
                    : new IdentityDecoder();
            StageSchedule schedule = flow ? StageSchedule.of(steps / 2, steps - steps / 2).decoderEpochs(30)
                    : StageSchedule.single(steps, 0);
            try (GoRL agent = GoRL.builder().env(timedEnv).evalEnv(eval)
                    .optimizer(Ppo.latent().criticLayers(64, 64).unrollLength(64).minibatches(8).epochs(8)
                            .rewardScaling(0.1).gamma(0.99).build())
                    .decoder(decoder).schedule(schedule).decoderRefit(DecoderRefit.builder().dataSize(40_000)
                    .batchSize(1024).build())
                    .evalEvery(steps / 5).seed(1).listener(clock).build()) {
                long start = System.nanoTime();
                TrainingResult result = agent.train();
                clock.close();
                double wall = (System.nanoTime() - start) / 1e9;
                double encoder = clock.seconds(Phase.ENCODER);
                double env = clock.envSeconds.getOrDefault(Phase.ENCODER, 0.0);
                double decode = clock.decodeSeconds.getOrDefault(Phase.ENCODER, 0.0);
                double optimizer = encoder - env - decode;
                System.out.printf(Locale.ROOT,
                        "| %s | %.0f | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.1f | %.1f |%n",
                        label, result.envSteps() / encoder, 100 * env / wall, 100 * decode / wall,
                        100 * optimizer / wall, 100 * clock.seconds(Phase.DECODER) / wall,
                        100 * clock.seconds(Phase.EVALUATION) / wall, wall, result.finalEvalReturn());
            }
        }
    }

    /** Accumulates wall time per phase, and the env and decoder time spent within each phase. */
    static final class PhaseClock implements TrainingListener {
        private final Map<Phase, Double> phaseSeconds = new EnumMap<>(Phase.class);
        final Map<Phase, Double> envSeconds = new EnumMap<>(Phase.class);
        final Map<Phase, Double> decodeSeconds = new EnumMap<>(Phase.class);
        private Phase current = Phase.EVALUATION;
        private long since = System.nanoTime();

        @Override
        public void onPhaseStart(int stage, Phase phase, long step) {
            close();
            current = phase;
        }

        void close() {
            long now = System.nanoTime();
            phaseSeconds.merge(current, (now - since) / 1e9, Double::sum);
            since = now;
        }

        double seconds(Phase phase) {
            return phaseSeconds.getOrDefault(phase, 0.0);
        }

        void addEnv(double s) {
            envSeconds.merge(current, s, Double::sum);
        }

        void addDecode(double s) {
            decodeSeconds.merge(current, s, Double::sum);
        }
    }

    /** A vector env that accumulates the wall time of its steps. */
    static final class Timed extends ForwardingVectorEnv {
        private final PhaseClock clock;

        Timed(VectorEnv env, PhaseClock clock) {
            super(env, false);
            this.clock = clock;
        }

        @Override
        public void step(float[] actions, VectorStep out) {
            long t = System.nanoTime();
            env.step(actions, out);
            clock.addEnv((System.nanoTime() - t) / 1e9);
        }
    }

    /** A decoder that reports the wall time of its decode calls to the clock. */
    static final class TimedDecoder implements GenerativeDecoder {
        private final GenerativeDecoder decoder;
        private final PhaseClock clock;

        TimedDecoder(GenerativeDecoder decoder, PhaseClock clock) {
            this.decoder = decoder;
            this.clock = clock;
        }

        @Override
        public void initialize(EnvSpec spec, Device device, long seed) {
            decoder.initialize(spec, device, seed);
        }

        @Override
        public void resetToIdentity() {
            decoder.resetToIdentity();
        }

        @Override
        public NDArray decode(NDArray observations, NDArray latents) {
            long t = System.nanoTime();
            NDArray out = decoder.decode(observations, latents);
            clock.addDecode((System.nanoTime() - t) / 1e9);
            return out;
        }

        @Override
        public NDArray sample(NDArray observations, int n) {
            return decoder.sample(observations, n);
        }

        @Override
        public FitResult fit(DecoderDataset data, FitOptions options, TrainingListener listener) {
            return decoder.fit(data, options, listener);
        }

        @Override
        public String name() {
            return decoder.name();
        }

        @Override
        public Map<String, Object> config() {
            return decoder.config();
        }

        @Override
        public void save(Path directory) throws IOException {
            decoder.save(directory);
        }

        @Override
        public void load(Path directory) throws IOException {
            decoder.load(directory);
        }

        @Override
        public void close() {
            decoder.close();
        }
    }
}

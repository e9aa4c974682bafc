package io.github.gorl.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.gorl.api.Policy;
import io.github.gorl.api.Validate;
import io.github.gorl.core.GoRL;
import io.github.gorl.decoders.nn.TensorFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;

/**
 * The distribution of a policy's actions at one state: is it multimodal, and where are its modes?
 *
 * <pre>{@code
 * ActionDistribution dist = ActionDistribution.sample(agent.policy(), state, 10_000);
 * System.out.println(dist.table());           // per dimension: dip, p-value, modes, mass per mode
 * dist.write(Path.of("runs/bandit/multimodality"));   // actions.png, stats.json and actions.csv
 * }</pre>
 *
 * <p>The composed policy {@code a = g_phi(s, eps), eps ~ pi_theta(.|s)} is sampled at the state {@code s}, in a
 * few batched calls, and each action dimension is analysed separately: Hartigan's {@link DipTest dip test} (small
 * p-values reject unimodality) and a {@link KernelDensity kernel density estimate} with its modes and their masses.
 * The actions are the policy's raw outputs, before the environment clips them to the action bounds: clipping would
 * pile mass on the bounds and look like extra modes. The two dimensions of highest variance are reported, and
 * plotted against each other, because that is where several modes are most likely to show.
 *
 * <p>Sampling randomness comes from the policy (GoRL's optimizers draw it from their seeded generators), so an
 * analysis of the same checkpoint with the same seed repeats exactly.
 */
public final class ActionDistribution {

    /** The sample size the command line uses. */
    public static final int DEFAULT_SAMPLES = 10_000;

    /** Rows per policy call: large enough to amortize the call, small enough to bound decoder memory. */
    static final int CHUNK = 8192;

    static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String task;
    private final float[] state;
    /** {@code [actionDim][samples]}. */
    private final double[][] actions;
    private final List<Dimension> dimensions;
    private final int[] highestVariance;

    private ActionDistribution(String task, float[] state, double[][] actions) {
        this.task = task;
        this.state = state;
        this.actions = actions;
        List<Dimension> dims = new ArrayList<>(actions.length);
        for (int d = 0; d < actions.length; d++) {
            dims.add(analyze(d, actions[d]));
        }
        this.dimensions = List.copyOf(dims);
        Integer[] order = new Integer[actions.length];
        for (int d = 0; d < order.length; d++) {
            order[d] = d;
        }
        Arrays.sort(order, (a, b) -> Double.compare(dims.get(b).standardDeviation(), dims.get(a).standardDeviation()));
        this.highestVariance = new int[Math.min(2, order.length)];
        for (int k = 0; k < highestVariance.length; k++) {
            highestVariance[k] = order[k];
        }
    }

    /**
     * Samples a GoRL agent's composed policy at one state, with tensors on the engine's default device (the
     * agent's device unless it was built with another one; then use {@link #sample(Policy, float[], int, NDManager)}).
     *
     * @param agent the agent, open
     * @param state the observation {@code [observationDim]}
     * @param samples the number of actions to draw, {@code >= 4}
     * @return the analysis
     */
    public static ActionDistribution sample(GoRL agent, float[] state, int samples) {
        return sample(Validate.notNull("agent", agent).policy(), state, samples);
    }

    /**
     * Samples a policy at one state, with tensors on the engine's default device.
     *
     * @param policy the policy; {@code act(observations, false)} must sample
     * @param state the observation {@code [observationDim]}
     * @param samples the number of actions to draw, {@code >= 4}
     * @return the analysis
     */
    public static ActionDistribution sample(Policy policy, float[] state, int samples) {
        try (NDManager manager = NDManager.newBaseManager()) {
            return sample(policy, state, samples, manager);
        }
    }

    /**
     * Samples a policy at one state: {@code samples} copies of the state go through
     * {@code policy.act(observations, false)} in batches of up to 8192 rows.
     *
     * @param policy the policy; {@code act(observations, false)} must sample
     * @param state the observation {@code [observationDim]}
     * @param samples the number of actions to draw, {@code >= 4}
     * @param manager creates the observation tensors, on the policy's device; the tensors are freed before returning
     * @return the analysis
     * @throws IllegalStateException if the policy returns a wrong shape or non-finite actions
     */
    public static ActionDistribution sample(Policy policy, float[] state, int samples, NDManager manager) {
        Validate.notNull("policy", policy);
        Validate.notNull("manager", manager);
        int observationDim = policy.spec().observationDim();
        int actionDim = policy.spec().actionDim();
        float[] s = Validate.finite("state", Validate.length("state", state, observationDim)).clone();
        Validate.inRange("samples", samples, 4, Integer.MAX_VALUE);
        double[][] actions = new double[actionDim][samples];
        for (int start = 0; start < samples; start += CHUNK) {
            int rows = Math.min(CHUNK, samples - start);
            float[] tiled = new float[rows * observationDim];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(s, 0, tiled, r * observationDim, observationDim);
            }
            try (NDManager scope = manager.newSubManager()) {
                NDArray observations = scope.create(tiled, new Shape(rows, observationDim));
                NDArray sampled = policy.act(observations, false);
                if (!sampled.getShape().equals(new Shape(rows, actionDim))) {
                    throw new IllegalStateException("the policy returned actions of shape " + sampled.getShape()
                            + ", expected " + new Shape(rows, actionDim));
                }
                float[] flat = sampled.toFloatArray();
                for (int r = 0; r < rows; r++) {
                    for (int d = 0; d < actionDim; d++) {
                        float a = flat[r * actionDim + d];
                        if (!Float.isFinite(a)) {
                            throw new IllegalStateException("the policy returned a non-finite action (" + a
                                    + ") in dimension " + d + " at state " + Arrays.toString(s));
                        }
                        actions[d][start + r] = a;
                    }
                }
            }
        }
        return new ActionDistribution(policy.spec().id(), s, actions);
    }

    /**
     * Analyses actions drawn elsewhere.
     *
     * @param task the task name, for titles and {@code stats.json}
     * @param state the state the actions were drawn at
     * @param actions {@code [samples][actionDim]}, {@code samples >= 4}, all finite; copied
     * @return the analysis
     */
    public static ActionDistribution of(String task, float[] state, double[][] actions) {
        Validate.notNull("task", task);
        Validate.notNull("state", state);
        Validate.notNull("actions", actions);
        if (actions.length < 4 || actions[0].length == 0) {
            throw new IllegalArgumentException("actions must be [samples >= 4][actionDim >= 1], got "
                    + actions.length + " rows");
        }
        int dim = actions[0].length;
        double[][] columns = new double[dim][actions.length];
        for (int r = 0; r < actions.length; r++) {
            if (actions[r].length != dim) {
                throw new IllegalArgumentException("actions[" + r + "] has length " + actions[r].length
                        + ", expected " + dim);
            }
            for (int d = 0; d < dim; d++) {
                if (!Double.isFinite(actions[r][d])) {
                    throw new IllegalArgumentException("actions[" + r + "][" + d + "] must be finite, got "
                            + actions[r][d]);
                }
                columns[d][r] = actions[r][d];
            }
        }
        return new ActionDistribution(task, state.clone(), columns);
    }

    private static Dimension analyze(int index, double[] values) {
        SummaryStatistics stats = new SummaryStatistics();
        for (double v : values) {
            stats.addValue(v);
        }
        KernelDensity kde = KernelDensity.fit(values);
        return new Dimension(index, stats.getMean(), stats.getStandardDeviation(), stats.getMin(), stats.getMax(),
                DipTest.test(values), kde.bandwidth(), kde.modes());
    }

    /**
     * The task the policy was trained on.
     *
     * @return the task name
     */
    public String task() {
        return task;
    }

    /**
     * The state the actions were drawn at.
     *
     * @return a copy, {@code [observationDim]}
     */
    public float[] state() {
        return state.clone();
    }

    /**
     * The number of actions drawn.
     *
     * @return the sample size
     */
    public int sampleCount() {
        return actions[0].length;
    }

    /**
     * The action size.
     *
     * @return {@code actionDim}
     */
    public int actionDim() {
        return actions.length;
    }

    /**
     * The drawn values of one action dimension.
     *
     * @param dimension in {@code [0, actionDim)}
     * @return a copy, {@code [samples]}, in drawing order
     */
    public double[] samples(int dimension) {
        return actions[Validate.inRange("dimension", dimension, 0, actions.length - 1)].clone();
    }

    /**
     * The per-dimension statistics.
     *
     * @return one entry per action dimension, in order
     */
    public List<Dimension> dimensions() {
        return dimensions;
    }

    /**
     * The dimensions of highest variance, highest first.
     *
     * @return two indices (one when {@code actionDim == 1})
     */
    public int[] highestVarianceDimensions() {
        return highestVariance.clone();
    }

    /**
     * A text table: one row per dimension with mean, standard deviation, dip, p-value, mode count and the mass and
     * location of each mode.
     *
     * @return the table, lines separated by {@code \n}
     */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Action distribution of %s at state %s (%,d samples)%n", task,
                Arrays.toString(state), sampleCount()));
        out.append(String.format(Locale.ROOT, "%4s %9s %9s %8s %9s %6s  %s%n", "dim", "mean", "std", "dip",
                "p-value", "modes", "mass per mode (at)"));
        for (Dimension d : dimensions) {
            StringBuilder masses = new StringBuilder();
            for (KernelDensity.Mode m : d.modes()) {
                masses.append(String.format(Locale.ROOT, "%.2f (%.3g)  ", m.mass(), m.location()));
            }
            out.append(String.format(Locale.ROOT, "%4d %9.4f %9.4f %8.4f %9s %6d  %s%n", d.index(), d.mean(),
                    d.standardDeviation(), d.dip().statistic(), formatPValue(d.dip().pValue()), d.modeCount(),
                    masses.toString().strip()));
        }
        if (highestVariance.length == 2) {
            out.append(String.format(Locale.ROOT, "Highest-variance dimensions: %d and %d%n", highestVariance[0],
                    highestVariance[1]));
        }
        return out.toString();
    }

    static String formatPValue(double p) {
        if (p == 0) {
            return "<1e-5";
        }
        return p < 1e-3 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.4f", p);
    }

    /**
     * Writes {@code actions.png}, {@code stats.json} and {@code actions.csv} into {@code directory}, created if
     * missing.
     *
     * @param directory the output folder
     * @throws IOException if writing fails
     */
    public void write(Path directory) throws IOException {
        Files.createDirectories(directory);
        writePlot(directory.resolve("actions.png"));
        writeJson(directory.resolve("stats.json"));
        writeCsv(directory.resolve("actions.csv"));
    }

    /**
     * Writes the drawn actions as CSV, atomically: a header {@code a0,a1,...} and one row per sample in drawing
     * order, each value as the shortest decimal that reads back to the same {@code double}. For analyses this class
     * does not make, such as the expected reward of the stochastic policy at the state.
     *
     * @param file the CSV file
     * @throws IOException if writing fails
     */
    public void writeCsv(Path file) throws IOException {
        StringBuilder csv = new StringBuilder();
        for (int d = 0; d < actions.length; d++) {
            csv.append(d == 0 ? "a" : ",a").append(d);
        }
        csv.append('\n');
        int n = sampleCount();
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < actions.length; d++) {
                if (d > 0) {
                    csv.append(',');
                }
                csv.append(actions[d][i]);
            }
            csv.append('\n');
        }
        TensorFile.writeAtomically(file, csv.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes a PNG atomically: per dimension a histogram of the actions with the kernel density estimate and its
     * modes, plus a scatter plot of the two highest-variance dimensions when {@code actionDim >= 2}.
     *
     * @param file the PNG file
     * @throws IOException if writing fails
     */
    public void writePlot(Path file) throws IOException {
        TensorFile.writeAtomically(file, ActionPlots.png(this));
    }

    /**
     * Writes the statistics as JSON, atomically: the task, state and sample size, and per dimension the moments,
     * the dip test, the bandwidth and the modes with their masses.
     *
     * @param file the JSON file
     * @throws IOException if writing fails
     */
    public void writeJson(Path file) throws IOException {
        TensorFile.writeAtomically(file, JSON.writeValueAsBytes(toMap()));
    }

    Map<String, Object> toMap() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("formatVersion", FORMAT_VERSION);
        json.put("task", task);
        json.put("state", state);
        json.put("samples", sampleCount());
        json.put("actionDim", actionDim());
        json.put("highestVarianceDimensions", highestVariance);
        json.put("modeRelativeHeight", KernelDensity.DEFAULT_RELATIVE_HEIGHT);
        List<Map<String, Object>> dims = new ArrayList<>();
        for (Dimension d : dimensions) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dimension", d.index());
            m.put("mean", d.mean());
            m.put("std", d.standardDeviation());
            m.put("min", d.min());
            m.put("max", d.max());
            Map<String, Object> dip = new LinkedHashMap<>();
            dip.put("statistic", d.dip().statistic());
            dip.put("pValue", d.dip().pValue());
            dip.put("n", d.dip().n());
            m.put("dip", dip);
            m.put("bandwidth", d.bandwidth());
            m.put("modeCount", d.modeCount());
            List<Map<String, Object>> modes = new ArrayList<>();
            for (KernelDensity.Mode mode : d.modes()) {
                Map<String, Object> mm = new LinkedHashMap<>();
                mm.put("location", mode.location());
                mm.put("density", mode.density());
                mm.put("mass", mode.mass());
                mm.put("lower", mode.lower());
                mm.put("upper", mode.upper());
                modes.add(mm);
            }
            m.put("modes", modes);
            dims.add(m);
        }
        json.put("dimensions", dims);
        return json;
    }

    /**
     * The statistics of one action dimension.
     *
     * @param index the dimension
     * @param mean the sample mean
     * @param standardDeviation the sample standard deviation
     * @param min the smallest value
     * @param max the largest value
     * @param dip Hartigan's dip test; a small p-value rejects unimodality
     * @param bandwidth the kernel density estimate's bandwidth (Silverman's rule)
     * @param modes the modes of the kernel density estimate, ascending, with their masses
     */
    public record Dimension(int index, double mean, double standardDeviation, double min, double max, DipResult dip,
            double bandwidth, List<KernelDensity.Mode> modes) {

        /**
         * The number of modes of the kernel density estimate.
         *
         * @return at least 1
         */
        public int modeCount() {
            return modes.size();
        }
    }
}

package io.github.gorl.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scalar training metrics at one point of training, such as losses, KL, entropy and steps per second.
 *
 * @param step environment steps so far (for a decoder phase: the step at which the phase started); an
 *     optimizer reports the steps taken within its current {@code learn} call and the trainer offsets it
 * @param stage the stage index, or -1 when the reporter does not know it
 * @param phase the phase the metrics belong to
 * @param values metric name to value, in insertion order; unmodifiable
 */
public record Metrics(long step, int stage, Phase phase, Map<String, Double> values) {

    /** Copies {@code values} into an unmodifiable map that keeps the order. */
    public Metrics {
        Validate.notNull("phase", phase);
        values = Collections.unmodifiableMap(new LinkedHashMap<>(Validate.notNull("values", values)));
    }

    /**
     * Metrics reported by a component that knows only its own step count.
     *
     * @param step steps so far within the current call
     * @param phase the phase
     * @param values metric name to value
     * @return the metrics, with stage -1
     */
    public static Metrics of(long step, Phase phase, Map<String, Double> values) {
        return new Metrics(step, -1, phase, values);
    }

    /**
     * The same values at another step and stage.
     *
     * @param newStep the step
     * @param newStage the stage
     * @return the relocated metrics
     */
    public Metrics at(long newStep, int newStage) {
        return new Metrics(newStep, newStage, phase, values);
    }

    /**
     * One value, or NaN when absent.
     *
     * @param name the metric name
     * @return the value or NaN
     */
    public double get(String name) {
        Double v = values.get(name);
        return v == null ? Double.NaN : v;
    }
}

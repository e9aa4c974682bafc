package io.github.gorl.api;

import java.util.List;

/**
 * Receives training events: stage and phase boundaries, metrics, evaluations and the final result.
 * Every method has an empty default, so a listener overrides only what it needs. Listeners are called
 * on the training thread; a slow listener slows training.
 *
 * <p>Ready-made listeners (a progress bar, a CSV writer) live in {@code io.github.gorl.core.train.Listeners}.
 */
public interface TrainingListener {

    /** A listener that ignores everything. */
    TrainingListener NONE = new TrainingListener() {};

    /**
     * Training starts.
     *
     * @param spec the real environment's spec
     * @param schedule the schedule; {@link StageSchedule#maxEncoderSteps()} bounds the step budget
     */
    default void onTrainingStart(EnvSpec spec, StageSchedule schedule) {}

    /**
     * A stage starts.
     *
     * @param stageIndex the stage index
     * @param stage the stage's configuration
     * @param step environment steps so far
     */
    default void onStageStart(int stageIndex, Stage stage, long step) {}

    /**
     * A phase starts.
     *
     * @param stageIndex the stage index
     * @param phase the phase
     * @param step environment steps so far
     */
    default void onPhaseStart(int stageIndex, Phase phase, long step) {}

    /**
     * New metrics are available (after each PPO update, each SAC log interval, each decoder epoch).
     *
     * @param metrics the metrics
     */
    default void onMetrics(Metrics metrics) {}

    /**
     * An evaluation finished.
     *
     * @param evaluation its result
     */
    default void onEvaluation(Evaluation evaluation) {}

    /**
     * Training finished normally.
     *
     * @param result the result
     */
    default void onTrainingEnd(TrainingResult result) {}

    /**
     * A listener that forwards every event to each of {@code listeners} in order.
     *
     * @param listeners the listeners
     * @return the composite listener
     */
    static TrainingListener all(List<? extends TrainingListener> listeners) {
        List<TrainingListener> copy = List.copyOf(listeners);
        return new TrainingListener() {
            @Override
            public void onTrainingStart(EnvSpec spec, StageSchedule schedule) {
                copy.forEach(l -> l.onTrainingStart(spec, schedule));
            }

            @Override
            public void onStageStart(int stageIndex, Stage stage, long step) {
                copy.forEach(l -> l.onStageStart(stageIndex, stage, step));
            }

            @Override
            public void onPhaseStart(int stageIndex, Phase phase, long step) {
                copy.forEach(l -> l.onPhaseStart(stageIndex, phase, step));
            }

            @Override
            public void onMetrics(Metrics metrics) {
                copy.forEach(l -> l.onMetrics(metrics));
            }

            @Override
            public void onEvaluation(Evaluation evaluation) {
                copy.forEach(l -> l.onEvaluation(evaluation));
            }

            @Override
            public void onTrainingEnd(TrainingResult result) {
                copy.forEach(l -> l.onTrainingEnd(result));
            }
        };
    }
}

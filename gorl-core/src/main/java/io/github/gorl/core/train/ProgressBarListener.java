package io.github.gorl.core.train;

import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.Evaluation;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.Phase;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingResult;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar over environment steps: stage, phase, last evaluation return and steps per second. On a terminal it
 * redraws one line in place; when the output is not a terminal (a log file, a pipe, a grid's {@code train.log}) it
 * prints the bar as a new line every {@link #LOG_INTERVAL_MILLIS}, so that a log holds a readable line per half
 * minute rather than thousands of carriage-return updates. Both are redrawn while no env step is taken (a refit, an
 * evaluation), with what that phase is doing.
 */
final class ProgressBarListener implements TrainingListener {

    /** How often the bar is printed as a line when the output is not a terminal. */
    static final int LOG_INTERVAL_MILLIS = 30_000;

    private static final int MAX_LENGTH = 160;

    /** Where a non-terminal bar's lines go, or {@code null} to draw on the terminal. */
    private final Consumer<String> lines;
    private final int intervalMillis;
    private ProgressBar bar;
    private String taskName;
    private long maxSteps;
    private int stages;
    private int stage;
    private Phase phase = Phase.ENCODER;
    private double lastReturn = Double.NaN;
    private double stepsPerSecond = Double.NaN;
    private String decoderProgress = "";
    private boolean ended;

    /** A bar drawn on the terminal, or printed as lines to standard error when there is no terminal. */
    ProgressBarListener() {
        this(System.console() != null ? null : System.err::println, LOG_INTERVAL_MILLIS);
    }

    /**
     * @param lines where each printed line goes, or {@code null} to draw on the terminal (redrawn every 0.5 s)
     * @param intervalMillis how often a line is printed when {@code lines} is given
     */
    ProgressBarListener(Consumer<String> lines, int intervalMillis) {
        this.lines = lines;
        this.intervalMillis = intervalMillis;
    }

    @Override
    public void onTrainingStart(EnvSpec spec, StageSchedule schedule) {
        stages = schedule.maxStages();
        taskName = "GoRL " + spec.id();
        maxSteps = schedule.maxEncoderSteps();
        // train() may be called again on the same model (it continues the run): a new bar, not the last one's end.
        ended = false;
    }

    /**
     * Draws the bar from the first step the run reports. A resumed run starts at its checkpoint's step: the bar starts
     * there too, so that its speed and time left count the steps of this process, not the checkpoint's as if they had
     * been taken in the first second.
     */
    private void open(long step) {
        if (bar != null || taskName == null) {
            return;
        }
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName(taskName)
                .setInitialMax(maxSteps)
                .startsFrom(Math.min(Math.max(step, 0), maxSteps), Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(lines == null ? 500 : intervalMillis)
                .setMaxRenderedLength(MAX_LENGTH)
                .setUnit(" steps", 1)
                .showSpeed()
                // Redrawn on every interval, not only when the step count moves: a refit or an evaluation takes no
                // env step, and without this the bar stood still for a whole refit (40 minutes at the scaled paper
                // preset) on its last encoder line.
                .continuousUpdate();
        if (lines != null) {
            builder.setConsumer(new DelegatingProgressBarConsumer(lines, MAX_LENGTH));
        }
        bar = builder.build();
    }

    @Override
    public void onPhaseStart(int stageIndex, Phase newPhase, long step) {
        stage = stageIndex;
        phase = newPhase;
        // A refit starts by collecting the decoder's data, which takes as long as its rollouts.
        decoderProgress = newPhase == Phase.DECODER ? ": collecting" : "";
        open(step);
        if (bar != null) {
            bar.stepTo(Math.min(step, bar.getMax()));
        }
        refresh();
    }

    @Override
    public void onMetrics(Metrics m) {
        open(m.step());
        if (bar == null) {
            return;
        }
        if (m.phase() == Phase.ENCODER) {
            bar.stepTo(Math.min(m.step(), bar.getMax()));
            double sps = m.get("steps_per_second");
            if (!Double.isNaN(sps)) {
                stepsPerSecond = sps;
            }
        } else if (m.phase() == Phase.DECODER) {
            String progress = decoderProgress(m);
            if (!progress.isEmpty()) {
                decoderProgress = progress;
            }
        }
        refresh();
    }

    @Override
    public void onEvaluation(Evaluation e) {
        lastReturn = e.meanReturn();
        refresh();
    }

    @Override
    public void onTrainingEnd(TrainingResult result) {
        if (bar != null) {
            // Where the run ended: a schedule that ends early, or a stopped run, does not read as 100%.
            bar.stepTo(Math.min(Math.max(result.envSteps(), bar.getCurrent()), bar.getMax()));
            ended = true;
            refresh();
            bar.close();
            bar = null;
        }
    }

    /** The refit's counter and its latest loss: validation when the fit validates, else training. */
    static String decoderProgress(Metrics m) {
        String counter = !Double.isNaN(m.get("epoch")) ? "epoch" : !Double.isNaN(m.get("step")) ? "step" : null;
        if (counter == null) {
            return "";
        }
        double validation = m.get("validation_loss");
        double loss = Double.isNaN(validation) ? m.get("train_loss") : validation;
        String kind = Double.isNaN(validation) ? "train loss" : "loss";
        return String.format(Locale.ROOT, " %s %.0f %s %.4f", counter, m.get(counter), kind, loss);
    }

    private void refresh() {
        if (bar == null) {
            return;
        }
        // Before its first evaluation (a resumed run's until the next one) and its first encoder iteration: "-".
        bar.setExtraMessage(String.format(Locale.ROOT, " | stage %d/%d %s%s | eval %s | %s sps", stage + 1, stages,
                ended ? "done" : phase.name().toLowerCase(Locale.ROOT), decoderProgress, orDash(lastReturn, "%.1f"),
                orDash(stepsPerSecond, "%.0f")));
    }

    private static String orDash(double value, String format) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, format, value);
    }
}

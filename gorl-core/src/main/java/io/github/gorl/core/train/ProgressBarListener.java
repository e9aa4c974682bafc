package io.github.gorl.core.train;

import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.Evaluation;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.Phase;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingResult;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A terminal progress bar over environment steps: stage, phase, last evaluation return and steps per second. */
final class ProgressBarListener implements TrainingListener {

    private ProgressBar bar;
    private int stages;
    private int stage;
    private Phase phase = Phase.ENCODER;
    private double lastReturn = Double.NaN;
    private double stepsPerSecond = Double.NaN;
    private String decoderProgress = "";

    @Override
    public void onTrainingStart(EnvSpec spec, StageSchedule schedule) {
        stages = schedule.maxStages();
        bar = new ProgressBarBuilder()
                .setTaskName("GoRL " + spec.id())
                .setInitialMax(schedule.maxEncoderSteps())
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .setMaxRenderedLength(160)
                .setUnit(" steps", 1)
                .showSpeed()
                .build();
        refresh();
    }

    @Override
    public void onPhaseStart(int stageIndex, Phase newPhase, long step) {
        stage = stageIndex;
        phase = newPhase;
        // A refit starts by collecting the decoder's data, which takes as long as its rollouts.
        decoderProgress = newPhase == Phase.DECODER ? ": collecting" : "";
        if (bar != null) {
            bar.stepTo(Math.min(step, bar.getMax()));
        }
        refresh();
    }

    @Override
    public void onMetrics(Metrics m) {
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
            bar.stepTo(bar.getMax());
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
        bar.setExtraMessage(String.format(Locale.ROOT, "stage %d/%d %s%s | eval %.1f | %.0f sps", stage + 1, stages,
                phase.name().toLowerCase(Locale.ROOT), decoderProgress, lastReturn, stepsPerSecond));
    }
}

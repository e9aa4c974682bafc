package io.github.gorl.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.Phase;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The bar names what a refit is doing, so a long refit does not read as a hang. */
class ProgressBarListenerTest {

    @Test
    void aStepModeRefit_showsItsStepAndValidationLoss() {
        Metrics m = Metrics.of(0, Phase.DECODER, Map.of("step", 300.0, "train_loss", 1.25, "validation_loss", 1.5));
        assertThat(ProgressBarListener.decoderProgress(m)).isEqualTo(" step 300 loss 1.5000");
    }

    @Test
    void anEpochModeRefitWithoutValidation_showsItsEpochAndTrainingLoss() {
        Metrics m = Metrics.of(0, Phase.DECODER, Map.of("epoch", 7.0, "train_loss", 0.25));
        assertThat(ProgressBarListener.decoderProgress(m)).isEqualTo(" epoch 7 train loss 0.2500");
    }

    @Test
    void theRefitSummary_leavesTheLastProgressInPlace() {
        Metrics m = Metrics.of(0, Phase.DECODER, Map.of("decoder_epochs", 50.0, "decoder_data_size", 41_000.0));
        assertThat(ProgressBarListener.decoderProgress(m)).isEmpty();
    }

    @Test
    void withoutATerminal_theBarIsPrintedAsWholeLines_notCarriageReturnUpdates() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        ProgressBarListener listener = new ProgressBarListener(lines::add, 50);
        listener.onTrainingStart(EnvSpec.symmetric("Walker", 3, 2, 1f, 100), StageSchedule.of(600, 400));
        for (long step = 100; step <= 1000; step += 100) {
            listener.onMetrics(Metrics.of(step, Phase.ENCODER, Map.of("steps_per_second", 2500.0)));
            Thread.sleep(30);
        }
        listener.onTrainingEnd(new TrainingResult(1, 1, 1000, 1, List.of()));

        assertThat(lines).hasSizeGreaterThan(2).noneMatch(l -> l.contains("\r") || l.contains("\n"));
        assertThat(lines.get(0)).contains("GoRL Walker").contains("/1000 steps");
        assertThat(lines.get(lines.size() - 1)).contains("100%").contains("1000/1000 steps").contains("/s | stage 1/2 done")
                .contains("2500 sps");
    }

    @Test
    void aRefit_isShownWhileItRuns_thoughNoEnvStepIsTaken() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        ProgressBarListener listener = new ProgressBarListener(lines::add, 50);
        listener.onTrainingStart(EnvSpec.symmetric("Cheetah", 3, 2, 1f, 100), StageSchedule.of(600, 400));
        listener.onPhaseStart(0, Phase.ENCODER, 0);
        listener.onMetrics(Metrics.of(600, Phase.ENCODER, Map.of("steps_per_second", 2500.0)));
        Thread.sleep(150);
        listener.onPhaseStart(1, Phase.DECODER, 600);
        Thread.sleep(150);
        listener.onMetrics(Metrics.of(600, Phase.DECODER, Map.of("step", 300.0, "train_loss", 1.25)));
        Thread.sleep(150);

        assertThat(lines).anyMatch(l -> l.contains("stage 2/2 decoder: collecting"))
                .anyMatch(l -> l.contains("stage 2/2 decoder step 300 train loss 1.2500"));
        listener.onTrainingEnd(new TrainingResult(1, 1, 600, 1, List.of()));
    }

    @Test
    void beforeItsFirstEvaluationAndIteration_theBarShowsDashes_notNaN() throws Exception {
        // A resumed run starts with a refit at a stage boundary: no evaluation and no encoder speed for 40 minutes.
        List<String> lines = new CopyOnWriteArrayList<>();
        ProgressBarListener listener = new ProgressBarListener(lines::add, 50);
        listener.onTrainingStart(EnvSpec.symmetric("Cheetah", 3, 2, 1f, 100), StageSchedule.of(600, 400));
        listener.onPhaseStart(1, Phase.DECODER, 600);
        Thread.sleep(150);
        listener.onEvaluation(new io.github.gorl.api.Evaluation(600, 1, 412.345, 3.0, 10));
        Thread.sleep(150);
        listener.onTrainingEnd(new TrainingResult(1, 1, 600, 1, List.of()));

        assertThat(lines).anyMatch(l -> l.contains("| eval - | - sps")).anyMatch(l -> l.contains("| eval 412.3 | - sps"))
                .noneMatch(l -> l.contains("NaN"));
    }

    @Test
    void aSecondTraining_onTheSameListener_isNotShownAsDone() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        ProgressBarListener listener = new ProgressBarListener(lines::add, 50);
        EnvSpec spec = EnvSpec.symmetric("Cheetah", 3, 2, 1f, 100);
        listener.onTrainingStart(spec, StageSchedule.of(600, 400));
        listener.onPhaseStart(0, Phase.ENCODER, 0);
        listener.onTrainingEnd(new TrainingResult(1, 1, 500, 1, List.of()));
        lines.clear();

        listener.onTrainingStart(spec, StageSchedule.of(600, 400));
        listener.onPhaseStart(0, Phase.ENCODER, 500);
        Thread.sleep(150);

        // The bar's very first line may be drawn before its stage text is set; none of them may read done.
        assertThat(lines).anyMatch(l -> l.contains("stage 1/2 encoder")).noneMatch(l -> l.contains("done"));
        listener.onTrainingEnd(new TrainingResult(1, 1, 1000, 1, List.of()));
    }

    @Test
    void aResumedRun_countsItsSpeedFromTheCheckpointStep_notFromZero() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        ProgressBarListener listener = new ProgressBarListener(lines::add, 50);
        listener.onTrainingStart(EnvSpec.symmetric("Cheetah", 3, 2, 1f, 100), StageSchedule.of(6_000_000, 4_000_000));
        listener.onPhaseStart(0, Phase.ENCODER, 3_000_000);
        // 2,000 steps over about 1.6 s (the bar shows a speed from the first second on): about a thousand steps per
        // second, where counting from step 0 would show millions.
        for (long step = 3_000_100; step <= 3_002_000; step += 100) {
            listener.onMetrics(Metrics.of(step, Phase.ENCODER, Map.of("steps_per_second", 5000.0)));
            Thread.sleep(80);
        }
        listener.onTrainingEnd(new TrainingResult(1, 1, 3_002_000, 1, List.of()));

        Pattern speed = Pattern.compile("([0-9.]+) steps/s");
        List<Double> speeds = lines.stream().map(speed::matcher).filter(Matcher::find)
                .map(m -> Double.parseDouble(m.group(1))).toList();
        assertThat(lines.get(0)).contains("30%").containsPattern(" 300[0-9]{4}/10000000 steps");
        assertThat(speeds).isNotEmpty().allMatch(v -> v < 100_000, "under 100,000 steps/s");
        // It ended at 3,002,000 of 10M steps (stopped, or an adaptive schedule ending early): not 100%.
        assertThat(lines.get(lines.size() - 1)).contains("30%").contains("3002000/10000000 steps")
                .contains("stage 1/2 done");
    }
}

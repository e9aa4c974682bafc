package io.github.gorl.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class PlateauScheduleTest {

    private static final PlateauSchedule SCHEDULE = PlateauSchedule.builder().maxStages(3).stageSteps(1_000)
            .totalSteps(2_500).patience(2).minImprovement(5).decoderEpochs(7).build();

    /** Stage {@code stage} running since step 100, with the given returns as its evaluations. */
    private static TrainingProgress running(int stage, long envSteps, double... returns) {
        List<Evaluation> evaluations = new ArrayList<>();
        evaluations.add(new Evaluation(0, stage - 1 < 0 ? 0 : stage - 1, -999, 0, 1)); // an earlier stage's
        for (int i = 0; i < returns.length; i++) {
            evaluations.add(new Evaluation(100 + 10L * i, stage, returns[i], 0, 1));
        }
        List<Stage> stages = new ArrayList<>();
        for (int k = 0; k <= stage; k++) {
            stages.add(SCHEDULE.next(asked(k, 0)).orElseThrow());
        }
        return new TrainingProgress(stage, envSteps, 100, stages, evaluations, Optional.empty(),
                OptionalDouble.empty());
    }

    private static TrainingProgress asked(int stage, long envSteps) {
        return new TrainingProgress(stage, envSteps, envSteps, List.of(), List.of(), Optional.empty(),
                OptionalDouble.empty());
    }

    @Test
    void endEncoderPhase_whenTheLastKEvaluationsGainNoMoreThanDelta() {
        // Best before the last two: -100; the last two reach -96, a gain of 4 <= 5.
        assertThat(SCHEDULE.endEncoderPhase(running(1, 300, -120, -100, -97, -96))).isTrue();
        // A gain of 6 > 5 keeps the phase going.
        assertThat(SCHEDULE.endEncoderPhase(running(1, 300, -120, -100, -97, -94))).isFalse();
        // Too few evaluations to judge (n <= K).
        assertThat(SCHEDULE.endEncoderPhase(running(1, 300, -120, -130))).isFalse();
        // Only this stage's evaluations count: the earlier stage's -999 is not the best before.
        assertThat(SCHEDULE.endEncoderPhase(running(1, 300, -500, -400, -300))).isFalse();
    }

    @Test
    void minStageSteps_holdsThePhaseOpen() {
        PlateauSchedule patient = PlateauSchedule.builder().stageSteps(1_000).minStageSteps(500).patience(1).build();
        TrainingProgress flat = new TrainingProgress(0, 400, 0, List.of(StageSchedule.paperStage(0, 1_000)),
                List.of(new Evaluation(0, 0, -5, 0, 1), new Evaluation(400, 0, -5, 0, 1)), Optional.empty(),
                OptionalDouble.empty());
        assertThat(patient.endEncoderPhase(flat)).isFalse();
        TrainingProgress later = new TrainingProgress(0, 600, 0, flat.stages(),
                List.of(new Evaluation(0, 0, -5, 0, 1), new Evaluation(600, 0, -5, 0, 1)), Optional.empty(),
                OptionalDouble.empty());
        assertThat(patient.endEncoderPhase(later)).isTrue();
    }

    @Test
    void next_givesThePapersKnobsCappedStagesAndEndsAtMaxStagesOrTheBudget() {
        Stage first = SCHEDULE.next(asked(0, 0)).orElseThrow();
        assertThat(first).isEqualTo(StageSchedule.paperStage(0, 1_000));
        Stage second = SCHEDULE.next(asked(1, 400)).orElseThrow();
        assertThat(second.decoderEpochs()).isEqualTo(7);
        assertThat(second.clip()).isEqualTo(StageSchedule.LATER_STAGE_CLIP);
        assertThat(second.encoderSteps()).isEqualTo(1_000);
        // The last stage is shortened to the total budget.
        assertThat(SCHEDULE.next(asked(2, 2_000)).orElseThrow().encoderSteps()).isEqualTo(500);
        assertThat(SCHEDULE.next(asked(2, 2_500))).isEmpty();
        assertThat(SCHEDULE.next(asked(3, 1_200))).isEmpty();
        assertThat(SCHEDULE.maxEncoderSteps()).isEqualTo(2_500);
        assertThat(SCHEDULE.maxStages()).isEqualTo(3);
        assertThat(SCHEDULE.config()).containsEntry("type", "plateau").containsEntry("patience", 2);
    }

    @Test
    void builder_namesTheBadValue() {
        assertThatThrownBy(() -> PlateauSchedule.builder().build()).hasMessageContaining("stageSteps is required");
        assertThatThrownBy(() -> PlateauSchedule.builder().patience(0)).hasMessageContaining("patience")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> PlateauSchedule.builder().stageSteps(10).minStageSteps(20).build())
                .hasMessageContaining("minStageSteps").hasMessageContaining("20");
        assertThatThrownBy(() -> PlateauSchedule.builder().minImprovement(Double.NaN))
                .hasMessageContaining("minImprovement");
    }

    @Test
    void trainingProgress_validatesAndCopies() {
        List<Evaluation> evaluations = new ArrayList<>(List.of(new Evaluation(0, 0, 1, 0, 1)));
        TrainingProgress view = new TrainingProgress(0, 10, 0, List.of(), evaluations, Optional.empty(),
                OptionalDouble.empty());
        evaluations.clear();
        assertThat(view.evaluations()).hasSize(1);
        assertThat(view.lastEvaluation()).isPresent();
        assertThat(view.stageSteps()).isEqualTo(10);
        assertThatThrownBy(() -> new TrainingProgress(0, 10, 11, List.of(), List.of(), Optional.empty(),
                OptionalDouble.empty())).hasMessageContaining("stageStartStep");
    }
}

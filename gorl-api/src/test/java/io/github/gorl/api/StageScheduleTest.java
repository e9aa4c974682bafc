package io.github.gorl.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StageScheduleTest {

    @Test
    void paper_hasFourStagesOf60_60_30_30MillionWithThePapersKnobs() {
        FixedSchedule paper = StageSchedule.paper();
        assertThat(paper.stages()).extracting(Stage::encoderSteps)
                .containsExactly(60_000_000L, 60_000_000L, 30_000_000L, 30_000_000L);
        assertThat(paper.totalEncoderSteps()).isEqualTo(180_000_000L);
        Stage first = paper.stage(0);
        assertThat(first.decoderEpochs()).isZero();
        assertThat(first.clip()).isEqualTo(0.15);
        assertThat(first.gradNormClip()).isEqualTo(0.5);
        assertThat(first.klBeta()).isEqualTo(5e-4);
        for (int k = 1; k < 4; k++) {
            Stage s = paper.stage(k);
            assertThat(s.decoderEpochs()).isEqualTo(50);
            assertThat(s.clip()).isEqualTo(0.3);
            assertThat(s.gradNormClip()).isEqualTo(1.0);
            assertThat(s.klBeta()).isEqualTo(1e-3);
        }
    }

    @Test
    void scaled_keepsProportionsAndExactTotal() {
        FixedSchedule s = StageSchedule.scaled(1_000_003);
        assertThat(s.totalEncoderSteps()).isEqualTo(1_000_003);
        assertThat(s.stage(0).encoderSteps()).isEqualTo(333_334);
        assertThat(s.stage(2).encoderSteps()).isEqualTo(166_667);
        assertThat(s.stage(1).klBeta()).isEqualTo(StageSchedule.paper().stage(1).klBeta());
    }

    @Test
    void scaled_belowOneStepPerStage_isRejectedWithTheValue() {
        assertThatThrownBy(() -> StageSchedule.scaled(3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("totalSteps").hasMessageContaining("3");
    }

    @Test
    void of_emptyOrNegative_isRejected() {
        assertThatThrownBy(() -> StageSchedule.of(new long[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one stage");
        assertThatThrownBy(() -> StageSchedule.of(100, -5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encoderSteps").hasMessageContaining("-5");
        assertThatThrownBy(() -> StageSchedule.of(java.util.List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one stage");
    }

    @Test
    void stageZeroWithDecoderEpochs_isRejected() {
        assertThatThrownBy(() -> StageSchedule.of(java.util.List.of(new Stage(10, 5, 0, 0.2, 1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("identity decoder")
                .hasMessageContaining("5");
    }

    @Test
    void stage_validatesEveryKnob() {
        assertThatThrownBy(() -> new Stage(10, 0, -1e-3, 0.2, 1)).hasMessageContaining("klBeta").hasMessageContaining("-0.001");
        assertThatThrownBy(() -> new Stage(10, 0, 0, 1.5, 1)).hasMessageContaining("clip").hasMessageContaining("1.5");
        assertThatThrownBy(() -> new Stage(10, 0, 0, 0.2, 0)).hasMessageContaining("gradNormClip");
        assertThatThrownBy(() -> new Stage(10, -1, 0, 0.2, 1)).hasMessageContaining("decoderEpochs");
        assertThatThrownBy(() -> new Stage(10, 0, Double.NaN, 0.2, 1)).hasMessageContaining("klBeta");
    }

    @Test
    void withers_returnNewSchedulesAndLeaveTheOriginal() {
        FixedSchedule base = StageSchedule.of(10, 20, 30);
        FixedSchedule changed = base.decoderEpochs(7).klBeta(0.0);
        assertThat(changed.stages()).extracting(Stage::decoderEpochs).containsExactly(0, 7, 7);
        assertThat(changed.stages()).extracting(Stage::klBeta).containsOnly(0.0);
        assertThat(base.stage(1).decoderEpochs()).isEqualTo(50);
        assertThat(base.withStage(2, s -> new Stage(99, 1, 0, 0.1, 1)).stage(2).encoderSteps()).isEqualTo(99);
        assertThatThrownBy(() -> base.stage(3)).hasMessageContaining("stage index").hasMessageContaining("3");
        assertThatThrownBy(() -> base.stages().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void single_isOneStageWithoutRefit() {
        FixedSchedule s = StageSchedule.single(5000, 0);
        assertThat(s.size()).isEqualTo(1);
        assertThat(s.stage(0).decoderEpochs()).isZero();
        assertThat(s.stage(0).klBeta()).isZero();
    }

    @Test
    void withers_keepEachStagesOtherSettings() {
        // A stage's own learning rate, entropy weight and encoder start survive the schedule-wide setters.
        FixedSchedule schedule = StageSchedule.scaled(4_000).withStage(1, s -> s.withLearningRate(1e-4)
                .withEntropyCoefficient(0.005).withEncoderInit(EncoderInit.PRIOR_WARM_VALUE).withClips(0.2, 2.0));
        FixedSchedule changed = schedule.decoderEpochs(7).klBeta(0.02).freezeDecoderAfter(2);
        Stage one = changed.stage(1);
        assertThat(one.decoderEpochs()).isEqualTo(7);
        assertThat(one.klBeta()).isEqualTo(0.02);
        assertThat(one.learningRate()).isEqualTo(1e-4);
        assertThat(one.entropyCoefficient()).isEqualTo(0.005);
        assertThat(one.encoderInit()).isEqualTo(EncoderInit.PRIOR_WARM_VALUE);
        assertThat(one.clip()).isEqualTo(0.2);
        assertThat(one.gradNormClip()).isEqualTo(2.0);
        assertThat(changed.stage(3).decoderEpochs()).isZero();
        assertThat(changed.stage(3).encoderInit()).isEqualTo(EncoderInit.PRIOR);
    }
}

package io.github.gorl.envs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gorl.api.Env;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.StepResult;
import io.github.gorl.envs.classic.BimodalBandit;
import io.github.gorl.envs.classic.Pendulum;
import org.junit.jupiter.api.Test;

class EnvsCheckTest {

    @Test
    void check_pendulum_isOkWithoutWarnings() {
        EnvCheckReport report = Envs.check(new Pendulum());

        assertThat(report.isOk()).as(report.toString()).isTrue();
        assertThat(report.warnings()).isEmpty();
        assertThat(report.envId()).isEqualTo("Pendulum");
    }

    @Test
    void check_bimodalBandit_isOkAndWarnsOnlyThatSeedsDoNotMatter() {
        EnvCheckReport report = Envs.check(BimodalBandit.builder().actionDim(3).build());

        assertThat(report.isOk()).as(report.toString()).isTrue();
        assertThat(report.warnings()).singleElement().asString().contains("is the seed ignored");
    }

    @Test
    void check_wellBehavedScriptedEnv_isOk() {
        EnvCheckReport report = Envs.check(new ScriptedEnv());

        assertThat(report.isOk()).as(report.toString()).isTrue();
        assertThat(report.warnings()).isEmpty();
    }

    @Test
    void check_nanObservation_isProblem() {
        ScriptedEnv env = new ScriptedEnv();
        env.nanObservationAt = 3;

        EnvCheckReport report = Envs.check(env);

        assertThat(report.isOk()).isFalse();
        assertThat(report.problems()).anySatisfy(p -> assertThat(p).contains("step 3").contains("observation[1]"));
    }

    @Test
    void check_unwrittenObservation_isProblem() {
        ScriptedEnv env = new ScriptedEnv();
        env.written = 2;

        EnvCheckReport report = Envs.check(env);

        assertThat(report.problems()).singleElement().asString()
                .contains("reset(seed=0)").contains("observation[2]").contains("not written");
    }

    @Test
    void check_observationLongerThanSpec_isProblem() {
        ScriptedEnv env = new ScriptedEnv();
        env.written = 4;

        EnvCheckReport report = Envs.check(env);

        assertThat(report.problems()).singleElement().asString()
                .contains("ArrayIndexOutOfBoundsException").contains("more than observationDim=3");
    }

    @Test
    void check_nanOrInfiniteReward_isProblem() {
        ScriptedEnv nan = new ScriptedEnv();
        nan.nanRewardAt = 2;
        ScriptedEnv infinite = new ScriptedEnv();
        infinite.infiniteRewardAt = 4;

        assertThat(Envs.check(nan).problems()).anySatisfy(p -> assertThat(p).contains("reward NaN"));
        assertThat(Envs.check(infinite).problems()).anySatisfy(p -> assertThat(p).contains("reward Infinity"));
    }

    @Test
    void check_neverTruncating_isProblem() {
        ScriptedEnv env = new ScriptedEnv();
        env.truncates = false;

        EnvCheckReport report = Envs.check(env);

        assertThat(report.problems()).singleElement().asString()
                .contains("did not end within maxEpisodeSteps=5");
    }

    @Test
    void check_nondeterministic_isProblem() {
        ScriptedEnv env = new ScriptedEnv();
        env.nondeterministic = true;

        EnvCheckReport report = Envs.check(env);

        assertThat(report.problems()).singleElement().asString()
                .contains("not deterministic").contains("at step 1, reward");
    }

    @Test
    void check_stepAfterDoneAccepted_isWarningOnly() {
        ScriptedEnv env = new ScriptedEnv();
        env.acceptsStepAfterDone = true;

        EnvCheckReport report = Envs.check(env);

        assertThat(report.isOk()).isTrue();
        assertThat(report.warnings()).singleElement().asString().contains("step after the episode ended");
    }

    @Test
    void check_rejectingTheBoundsThemselves_isProblem() {
        ScriptedEnv inner = new ScriptedEnv();
        Env strict = new Env() {
            @Override
            public EnvSpec spec() {
                return inner.spec();
            }

            @Override
            public void reset(long seed, float[] observation) {
                inner.reset(seed, observation);
            }

            @Override
            public StepResult step(float[] action, float[] observation) {
                if (!(action[0] > -1f && action[0] < 1f)) { // the bug: bounds excluded
                    throw new IllegalArgumentException("action out of range: " + action[0]);
                }
                return inner.step(action, observation);
            }
        };

        assertThat(Envs.check(strict).problems()).first().asString()
                .contains("step 1 of episode 0").contains("action=[-1.0]").contains("out of range");
    }

    @Test
    void check_throwingStep_isProblemNamingTheAction() {
        ScriptedEnv env = new ScriptedEnv();
        env.throwAt = 1;

        EnvCheckReport report = Envs.check(env);

        assertThat(report.problems()).first().asString()
                .contains("step 1 of episode 0").contains("action=[-1.0]").contains("scripted failure");
    }

    @Test
    void checkOrThrow_brokenEnv_listsEveryProblem() {
        ScriptedEnv env = new ScriptedEnv();
        env.truncates = false;
        env.nondeterministic = true;

        assertThatThrownBy(() -> Envs.checkOrThrow(env))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 problem(s)")
                .hasMessageContaining("did not end within")
                .hasMessageContaining("not deterministic");
    }

    @Test
    void checkOrThrow_goodEnv_returnsReport() {
        assertThat(Envs.checkOrThrow(new Pendulum()).isOk()).isTrue();
    }

    @Test
    void check_specChangingBetweenCalls_isProblem() {
        Env env = new Env() {
            private int calls;

            @Override
            public EnvSpec spec() {
                return EnvSpec.symmetric("Shifty", 1, 1, 1f, ++calls);
            }

            @Override
            public void reset(long seed, float[] observation) {
                observation[0] = 0f;
            }

            @Override
            public StepResult step(float[] action, float[] observation) {
                observation[0] = 0f;
                return new StepResult(0, true, false);
            }
        };

        assertThat(Envs.check(env).problems()).anySatisfy(p -> assertThat(p).contains("must be constant"));
    }
}

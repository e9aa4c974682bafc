package io.github.gorl.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gorl.examples.ExperimentEngine;
import io.github.gorl.examples.ExperimentEngine.CellResult;
import java.util.ServiceLoader;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** The engine's pure parts: how it is found, how many attempts a master gives, how a failed job is reported. */
class SparkEngineTest {

    @Test
    void gorlExperiments_findsTheEngine_byItsName() {
        assertThat(ServiceLoader.load(ExperimentEngine.class).stream().map(p -> p.get().name()))
                .containsExactly("spark");
    }

    @Test
    void attempts_followSparksRules_forEachKindOfMaster() {
        // Spark's local mode tries a task once unless the master says local[N,F].
        assertThat(SparkEngine.attempts("local", 4)).isEqualTo(1);
        assertThat(SparkEngine.attempts("local[2]", 4)).isEqualTo(1);
        assertThat(SparkEngine.attempts("local[*]", 4)).isEqualTo(1);
        assertThat(SparkEngine.attempts("local[2,3]", 4)).isEqualTo(3);
        assertThat(SparkEngine.attempts("spark://head:7077", 4)).isEqualTo(4);
        assertThat(SparkEngine.attempts("yarn", 6)).isEqualTo(6);
    }

    @Test
    void aFailedJob_reportsTheLastAttemptsExitCode_orSparksReason() {
        SparkException cellFailed = new SparkException("Job aborted due to stage failure: Task 0 in stage 3.0 failed 4"
                + " times, most recent failure: Lost task 0.3 in stage 3.0 (TID 7) (10.0.0.5 executor 2):"
                + " java.lang.IllegalStateException: gorl cell Pendulum/fpo/seed-1: exit code 2 on attempt 4\n"
                + "\tat io.github.gorl.spark.CellTask.run(CellTask.java:1)\n");
        assertThat(SparkEngine.failure("Pendulum/fpo/seed-1", cellFailed, 4)).isEqualTo(new CellResult(
                "Pendulum/fpo/seed-1", 2, 0, "exit code 2 on attempt 4 (the last of 4)"));

        SparkException executorLost = new SparkException("Job aborted due to stage failure: Task 0 in stage 1.0"
                + " failed 4 times, most recent failure: Lost task 0.3 in stage 1.0 (TID 4) (10.0.0.5 executor 3):"
                + " ExecutorLostFailure (executor 3 exited caused by one of the running tasks) Reason: Command exited"
                + " with code 137\nDriver stacktrace:\n");
        CellResult lost = SparkEngine.failure("CheetahRun/gorl-fm/seed-2", executorLost, 4);
        assertThat(lost.exitCode()).isEqualTo(-1);
        assertThat(lost.message()).startsWith("Spark: Lost task 0.3 in stage 1.0").contains("ExecutorLostFailure")
                .endsWith("Command exited with code 137");
    }
}

package io.github.gorl.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gorl train --on-nan} and the errors reported before any training step. */
class TrainFailureTest {

    @TempDir
    Path temp;

    @Test
    void onNanSkip_isRecordedAndCountsSkippedBatchesInMetrics() throws Exception {
        Path out = temp.resolve("skip");
        assertThat(GorlCli.run("train", "--decoder", "identity", "--steps", "512", "--envs", "2",
                "--eval-episodes", "2", "--eval-every", "512", "--on-nan", "skip", "--out", out.toString())).isZero();
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertThat(run.toString()).contains("\"onNonFinite\":\"SKIP_BATCH\"");
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        int column = List.of(csv.get(0).split(",")).indexOf("skipped_batches");
        assertThat(column).isPositive();
        // Pendulum never produces a NaN: every PPO row reports 0 skipped batches.
        assertThat(csv.stream().skip(1).map(l -> l.split(",", -1)).filter(c -> c[2].equals("encoder"))
                .map(c -> c[column])).isNotEmpty().containsOnly("0.00000");
    }

    @Test
    void onNan_withAnUnknownValue_isOneErrorLine() {
        String err = Console.errorOf("train", "--on-nan", "ignore", "--out", temp.resolve("bad").toString());
        assertThat(err).contains("gorl: error: ").contains("--on-nan must be stop or skip, got 'ignore'")
                .doesNotContain("\tat ");
    }

    @Test
    void onNanSkip_withABaseline_trainsAndRecordsThePolicy() throws Exception {
        // FPO and DPPO run on latent PPO's engine, so they can drop a batch too (an optimizer that cannot is rejected
        // at build, NonFiniteTest.skip_withAnOptimizerThatCannotDropData_isRejectedAtBuild).
        Path out = temp.resolve("fpo");
        assertThat(GorlCli.run("train", "--baseline", "fpo", "--steps", "512", "--eval-episodes", "2", "--on-nan",
                "skip", "--out", out.toString())).isZero();
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertThat(run.at("/trainer/onNonFinite").asText()).isEqualTo("SKIP_BATCH");
    }

    @Test
    void unwritableOutputDirectory_isReportedBeforeTraining() throws Exception {
        // A regular file where a folder must go: unwritable for every user, root included.
        Path blocked = temp.resolve("file");
        Files.writeString(blocked, "x");
        String err = Console.errorOf("train", "--steps", "512", "--out", blocked.resolve("run").toString());
        // (The engine may log to stderr first when this is the JVM's first training.)
        assertThat(err.lines().filter(l -> l.startsWith("gorl: error: ")))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("not writable").contains(blocked.toString());
        assertThat(err).doesNotContain("\tat ");
        assertThat(Files.exists(blocked.resolve("run"))).isFalse();
    }
}

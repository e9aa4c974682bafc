package io.github.gorl.core;

import io.github.gorl.api.Evaluation;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.core.train.LearningCurves;
import io.github.gorl.core.train.Listeners;
import io.github.gorl.decoders.nn.TensorFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run directory every training run writes: {@code run.json} (configuration, seed, versions),
 * {@code metrics.csv}, {@code learning_curve.png}, {@code summary.json} and {@code checkpoint/}.
 */
final class RunDirectory {

    private final Path path;
    private final TrainingListener metrics;

    private RunDirectory(Path path) {
        this.path = path;
        this.metrics = Listeners.csv(path.resolve("metrics.csv"));
    }

    /** Creates the folder and proves it writable now, not after hours of training. */
    static RunDirectory create(Path path) {
        try {
            Files.createDirectories(path);
            Path probe = Files.createTempFile(path, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new IllegalArgumentException("run directory " + path + " is not writable: " + e, e);
        }
        return new RunDirectory(path);
    }

    Path path() {
        return path;
    }

    Path checkpoint() {
        return path.resolve("checkpoint");
    }

    TrainingListener metricsWriter() {
        return metrics;
    }

    void writeRunJson(Map<String, Object> description) {
        try {
            TensorFile.writeAtomically(path.resolve("run.json"), Checkpoints.JSON.writeValueAsBytes(description));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path.resolve("run.json"), e);
        }
    }

    void finish(TrainingResult result, String task) throws IOException {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("task", task);
        summary.put("final_eval_return", result.finalEvalReturn());
        summary.put("best_eval_return", result.bestEvalReturn());
        summary.put("env_steps", result.envSteps());
        summary.put("wall_seconds", result.wallSeconds());
        summary.put("evaluations", result.evaluations().size());
        TensorFile.writeAtomically(path.resolve("summary.json"), Checkpoints.JSON.writeValueAsBytes(summary));
        LearningCurves.plot(path.resolve("learning_curve.png"), "GoRL on " + task,
                Map.of("GoRL", List.<Evaluation>copyOf(result.evaluations())));
    }
}

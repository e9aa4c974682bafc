package io.github.gorl.core;

import io.github.gorl.api.Evaluation;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.core.train.FileErrors;
import io.github.gorl.core.train.JsonFile;
import io.github.gorl.core.train.LearningCurves;
import io.github.gorl.core.train.Listeners;
import io.github.gorl.core.train.RunLock;
import io.github.gorl.decoders.nn.TensorFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run directory every training run writes: {@code run.json} (configuration, seed, versions),
 * {@code metrics.csv}, {@code learning_curve.png}, {@code summary.json} and {@code checkpoint/}, under the run's
 * exclusive {@link RunLock} ({@code run.lock}) from {@link #create} to {@link #close}.
 */
final class RunDirectory implements AutoCloseable {

    private final Path path;
    private final RunLock lock;
    // Opened when training starts, so that a resumed run appends to the file rather than replacing it.
    private TrainingListener metrics = TrainingListener.NONE;

    private RunDirectory(Path path, RunLock lock) {
        this.path = path;
        this.lock = lock;
    }

    /**
     * Creates the folder, locks it for this run, and proves it writable now, not after hours of training.
     *
     * @throws IllegalStateException if another run holds the folder (the message names its pid and start time)
     */
    static RunDirectory create(Path path) {
        RunLock lock;
        try {
            lock = RunLock.acquire(path);
        } catch (IOException e) {
            throw new IllegalArgumentException("run directory " + path + " is not writable: "
                    + FileErrors.reason(e), e);
        }
        try {
            Path probe = Files.createTempFile(path, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            lock.close();
            throw new IllegalArgumentException("run directory " + path + " is not writable: "
                    + FileErrors.reason(e), e);
        }
        return new RunDirectory(path, lock);
    }

    /** Releases the run's lock. */
    @Override
    public void close() {
        lock.close();
    }

    Path path() {
        return path;
    }

    Path checkpoint() {
        return path.resolve("checkpoint");
    }

    /** A listener forwarding to {@code metrics.csv} once {@link #openMetrics} opened it. */
    TrainingListener metricsWriter() {
        return new TrainingListener() {
            @Override
            public void onMetrics(io.github.gorl.api.Metrics m) {
                metrics.onMetrics(m);
            }

            @Override
            public void onEvaluation(Evaluation e) {
                metrics.onEvaluation(e);
            }

            @Override
            public void onTrainingEnd(TrainingResult result) {
                metrics.onTrainingEnd(result);
            }
        };
    }

    /**
     * Opens {@code metrics.csv}: replaced for a new run; for a resumed one, kept up to the checkpoint's step (rows
     * a killed run wrote after its last checkpoint are dropped, since the resumed run writes them again) and
     * appended to, its {@code wall_seconds} continuing from the training time before the resume.
     *
     * @param wallSecondsBefore the resumed run's training time up to its checkpoint; {@code NaN} where the checkpoint
     *     does not record it (an older one), in which case the last kept row's {@code wall_seconds} stands for it
     * @return the training time the appended rows continue from: {@code wallSecondsBefore}, or the stand-in for it
     *     ({@code NaN} if there is none); {@code wallSecondsBefore} for a new run
     */
    double openMetrics(boolean resume, long checkpointStep, double wallSecondsBefore) {
        Path file = path.resolve("metrics.csv");
        if (!resume || !Files.exists(file)) {
            metrics = resume ? Listeners.csvAppend(file, zeroIfUnknown(wallSecondsBefore)) : Listeners.csv(file);
            return wallSecondsBefore;
        }
        double before = wallSecondsBefore;
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            StringBuilder kept = new StringBuilder();
            double lastWall = Double.NaN;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (i == 0 || stepOf(line, commas(lines.get(0))) <= checkpointStep) {
                    kept.append(line).append(System.lineSeparator());
                    if (i > 0) {
                        lastWall = wallOf(line, lastWall);
                    }
                }
            }
            // Replaced in one move: a crash here leaves the old file, never a half-written one.
            TensorFile.writeAtomically(file, kept.toString().getBytes(StandardCharsets.UTF_8));
            if (Double.isNaN(before)) {
                before = lastWall;
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot continue " + file + ": " + FileErrors.reason(e), e);
        }
        metrics = Listeners.csvAppend(file, zeroIfUnknown(before));
        return before;
    }

    private static double zeroIfUnknown(double seconds) {
        return Double.isNaN(seconds) ? 0 : seconds;
    }

    /** A row's {@code wall_seconds} (the fourth column), or {@code otherwise} where it has none. */
    private static double wallOf(String line, double otherwise) {
        String[] cells = line.split(",", 5);
        try {
            return cells.length > 4 && !cells[3].isEmpty() ? Double.parseDouble(cells[3]) : otherwise;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    void writeRunJson(Map<String, Object> description) {
        try {
            JsonFile.write(path.resolve("run.json"), description);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path.resolve("run.json") + ": " + FileErrors.reason(e),
                    e);
        }
    }

    /** The step of a metrics row; a row cut short by a kill counts as after every checkpoint. */
    private static long stepOf(String line, long headerCommas) {
        int comma = line.indexOf(',');
        try {
            return comma > 0 && commas(line) == headerCommas ? Long.parseLong(line.substring(0, comma))
                    : Long.MAX_VALUE;
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static long commas(String line) {
        return line.chars().filter(c -> c == ',').count();
    }

    void finish(TrainingResult result, String task, double targetReturn) throws IOException {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("task", task);
        summary.put("final_eval_return", result.finalEvalReturn());
        summary.put("best_eval_return", result.bestEvalReturn());
        if (!Double.isNaN(targetReturn)) {
            // As the reference's summary: the final (last) evaluation against the task's target.
            summary.put("target_return", targetReturn);
            summary.put("target_met", result.finalEvalReturn() >= targetReturn);
        }
        summary.put("env_steps", result.envSteps());
        summary.put("wall_seconds", result.wallSeconds());
        summary.put("evaluations", result.evaluations().size());
        JsonFile.write(path.resolve("summary.json"), summary);
        if (Listeners.learningCurvesAvailable()) {
            LearningCurves.plot(path.resolve("learning_curve.png"), "GoRL on " + task,
                    Map.of("GoRL", List.<Evaluation>copyOf(result.evaluations())));
        }
    }
}

package io.github.gorl.core.train;

import io.github.gorl.api.Evaluation;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.Phase;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingResult;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * Appends every metrics event and evaluation to a CSV file with fixed columns (empty where a value does not
 * apply). Each row is flushed whole, so a killed run leaves a valid prefix.
 */
final class MetricsCsvWriter implements TrainingListener, AutoCloseable {

    /** The columns after {@code step,stage,phase,wall_seconds}. */
    static final List<String> COLUMNS = List.of("eval_return", "eval_std", "policy_loss", "value_loss", "entropy",
            "kl_to_prior", "approx_kl", "clip_fraction", "grad_norm", "explained_variance", "train_episode_return",
            "steps_per_second", "q_loss", "actor_loss", "alpha", "epoch", "train_loss", "validation_loss",
            "decoder_train_loss", "decoder_validation_loss", "decoder_data_size", "skipped_batches",
            "skipped_transitions", "update_epochs", "prior_nll", "decoder_step", "validation_endpoint_mse",
            "pairwise_loss", "decoder_data_encoder_return", "refit_prior_mean_shift", "refit_data_action_abs",
            "refit_prior_mean_action_abs");

    private final Path path;
    private final BufferedWriter out;
    /** The columns this file has: {@link #COLUMNS}, or an appended file's own (written by an older version). */
    private final List<String> columns;
    /** {@link System#nanoTime()} at which {@code wall_seconds} reads 0. */
    private final long start;

    MetricsCsvWriter(Path path) {
        this(path, false, 0);
    }

    /**
     * With {@code append}, continues an existing file (a resumed run) instead of replacing it; {@code wall_seconds}
     * starts at {@code wallSecondsBefore}.
     */
    MetricsCsvWriter(Path path, boolean append, double wallSecondsBefore) {
        this.start = System.nanoTime() - Math.round(wallSecondsBefore * 1e9);
        this.path = path;
        try {
            boolean header = !append || !Files.exists(path) || Files.size(path) == 0;
            columns = header ? COLUMNS : existingColumns(path);
            out = append ? Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND) : Files.newBufferedWriter(path, StandardCharsets.UTF_8);
            if (header) {
                out.write("step,stage,phase,wall_seconds," + String.join(",", COLUMNS));
                out.newLine();
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + FileErrors.reason(e), e);
        }
    }

    /**
     * The columns after the first four of an existing file's header, so that a run resumed into a directory written
     * by an older version (fewer columns) appends rows that match its header; metrics the file has no column for
     * are left out, as any metric without a column is.
     */
    private static List<String> existingColumns(Path path) throws IOException {
        String header;
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            header = in.readLine();
        }
        List<String> names = header == null ? List.of() : List.of(header.split(",", -1));
        if (names.size() < 6 || !names.subList(0, 6).equals(List.of("step", "stage", "phase", "wall_seconds",
                "eval_return", "eval_std"))) {
            throw new IOException("cannot append to " + path + ": its first line is not a metrics.csv header ("
                    + header + ")");
        }
        return names.subList(4, names.size());
    }

    @Override
    public void onMetrics(Metrics m) {
        StringBuilder row = prefix(m.step(), m.stage(), m.phase());
        for (String c : columns) {
            row.append(',');
            // A step-mode refit counts its steps as "step": its own column, apart from the row's env step.
            Double v = m.values().get(c.equals("decoder_step") && m.phase() == Phase.DECODER ? "step" : c);
            if (v != null) {
                row.append(format(v));
            }
        }
        write(row);
    }

    @Override
    public void onEvaluation(Evaluation e) {
        StringBuilder row = prefix(e.step(), e.stage(), Phase.EVALUATION);
        row.append(',').append(format(e.meanReturn())).append(',').append(format(e.stdReturn()));
        row.append(",".repeat(columns.size() - 2));
        write(row);
    }

    @Override
    public void onTrainingEnd(TrainingResult result) {
        close();
    }

    private StringBuilder prefix(long step, int stage, Phase phase) {
        return new StringBuilder().append(step).append(',').append(stage).append(',')
                .append(phase.name().toLowerCase(Locale.ROOT)).append(',')
                .append(format((System.nanoTime() - start) / 1e9));
    }

    private static String format(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    private synchronized void write(StringBuilder row) {
        try {
            out.write(row.toString());
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + path + ": " + FileErrors.reason(e), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + path + ": " + FileErrors.reason(e), e);
        }
    }
}

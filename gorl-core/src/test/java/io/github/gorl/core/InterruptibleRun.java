package io.github.gorl.core;

import io.github.gorl.api.Metrics;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingResult;
import java.nio.file.Path;

/** Trains a run that a listener stops the way a kill would, or that resumes from its checkpoint first. */
final class InterruptibleRun {

    /** Thrown by the listener right after the step a run is stopped at. */
    static final class Interrupted extends RuntimeException {
        Interrupted() {
            super("interrupted");
        }
    }

    private InterruptibleRun() {}

    /**
     * Builds and trains.
     *
     * @param builder the run, with its run directory {@code run}
     * @param run the run directory, whose {@code checkpoint/} a resume loads
     * @param stopAfter the step after which the run is stopped with {@link Interrupted}; 0: never
     * @param resume whether to load the checkpoint before training
     */
    static TrainingResult train(GoRL.Builder builder, Path run, long stopAfter, boolean resume) throws Exception {
        if (stopAfter > 0) {
            builder.listener(new TrainingListener() {
                @Override
                public void onMetrics(Metrics m) {
                    if (m.step() > stopAfter) {
                        throw new Interrupted();
                    }
                }
            });
        }
        try (GoRL agent = builder.build()) {
            if (resume) {
                agent.load(run.resolve("checkpoint"));
            }
            return agent.train();
        }
    }
}

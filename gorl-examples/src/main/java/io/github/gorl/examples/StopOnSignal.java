package io.github.gorl.examples;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM during {@code gorl train}: the first asks the trainer to stop at its next safe point
 * and write a checkpoint there, the second exits at once. Installed for the training only and restored by
 * {@link #close()}.
 *
 * <p>Why {@code sun.misc.Signal} (module {@code jdk.unsupported}) rather than a shutdown hook: a hook runs after the
 * JVM has begun exiting, so it would have to block the exit until the training thread reached a safe point, and a
 * second Ctrl-C could not cut that wait short (the JVM ignores further signals while it runs hooks). A signal handler
 * runs in its own thread while the JVM goes on, so the first signal only sets a flag and the second can halt. Where
 * the handlers cannot be installed (a JVM started with {@code -Xrs}, or one that reserves the signal), the defaults
 * stay: the process exits at once and {@code --resume} continues from the last periodic checkpoint.
 */
final class StopOnSignal implements AutoCloseable {

    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private volatile String received;

    /**
     * Installs the handlers.
     *
     * @param stop what the first signal does: ask the trainer to stop
     * @param err where the user is told what happens
     */
    StopOnSignal(Runnable stop, PrintStream err) {
        for (String name : new String[] {"INT", "TERM"}) {
            Signal signal = new Signal(name);
            try {
                SignalHandler old = Signal.handle(signal, s -> {
                    if (received != null) {
                        err.println();
                        err.println("gorl: SIG" + s.getName() + " again: exiting now, without a checkpoint");
                        err.flush();
                        Runtime.getRuntime().halt(exitCode(s.getName()));
                    }
                    received = s.getName();
                    err.println();
                    err.println("gorl: SIG" + s.getName() + " received: stopping at the next safe point and writing a"
                            + " checkpoint there (press Ctrl-C again to exit at once, without it)");
                    err.flush();
                    stop.run();
                });
                signals.add(signal);
                previous.add(old);
            } catch (IllegalArgumentException e) {
                // Reserved by the JVM: keep the default behaviour for this signal.
            }
        }
    }

    /**
     * The signal that asked to stop, or null.
     *
     * @return {@code "INT"}, {@code "TERM"} or null
     */
    String received() {
        return received;
    }

    /**
     * The conventional exit code of a process ended by a signal: 128 + its number (130 for SIGINT, 143 for SIGTERM).
     *
     * @param name the signal name
     * @return the exit code
     */
    static int exitCode(String name) {
        return name.equals("TERM") ? 143 : 130;
    }

    /** Restores the handlers there were before. */
    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}

package io.github.gorl.examples;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@code gorl train} started by an experiment engine ends when the process that started it ends, however that ends.
 * A Spark executor killed with {@code kill -9} (a lost machine, an out-of-memory kill) cannot stop its children, and
 * an orphaned run would keep training and keep its run directory locked while Spark retries the cell elsewhere. With
 * {@code -Dgorl.exitWithParent=true} a daemon thread watches the parent and halts this JVM at once when it is gone:
 * the run then ends as if its machine had died, and the retry continues from its last checkpoint, which is always
 * whole (checkpoints are written atomically).
 */
final class ExitWithParent {

    /** The system property that turns the watch on. */
    static final String PROPERTY = "gorl.exitWithParent";

    /** How often the parent is checked: a retried cell waits at most about this long for the orphan's lock. */
    private static final long POLL_MILLIS = 200;

    /** Exit code of a run halted because its parent died (as a process killed by SIGKILL reports). */
    static final int EXIT_CODE = 137;

    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private ExitWithParent() {}

    /** Starts the watch when {@value #PROPERTY} is {@code true} and this process has a parent. */
    static void startIfAsked() {
        if (!Boolean.getBoolean(PROPERTY) || !STARTED.compareAndSet(false, true)) {
            return;
        }
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        if (parent.isEmpty()) {
            return;
        }
        ProcessHandle watched = parent.get();
        Thread watch = new Thread(() -> {
            while (watched.isAlive()) {
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("gorl: the process that started this run (pid " + watched.pid() + ") is gone:"
                    + " exiting now, without a checkpoint");
            Runtime.getRuntime().halt(EXIT_CODE);
        }, "gorl-exit-with-parent");
        watch.setDaemon(true);
        watch.start();
    }
}

package io.github.gorl.envs;

import io.github.gorl.api.Env;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.Validate;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Steps contiguous slices of sub-envs in parallel on a fixed set of threads. Created by
 * {@link Envs#threaded}.
 *
 * <p>With {@code threads} slices, the caller's thread steps slice 0 and {@code threads - 1} daemon workers
 * ({@code gorl-env-N}) step the others, so no core sits idle waiting. Each dispatch publishes its task
 * through a volatile generation counter per worker and waits on a countdown of pending slices; waiting
 * threads spin briefly (a step of a cheap env takes microseconds, less than a park/unpark round trip) and
 * then park. Nothing is allocated per step. Results are bit-identical to {@link SyncVectorEnv} because
 * each sub-env is stepped by the same code with the same seeds, only on another thread.
 */
final class ThreadedVectorEnv implements VectorEnv {

    /** Numbers worker threads across all instances, so thread dumps tell pools apart. */
    private static final AtomicInteger THREAD_NUMBERS = new AtomicInteger();
    /**
     * About 10 microseconds of {@code onSpinWait} before parking: long enough to cover a slice of cheap
     * envs without a park/unpark round trip, short enough not to steal much CPU from the learner (or from
     * the very worker being waited for, when cores are oversubscribed).
     */
    private static final int SPINS_BEFORE_PARK = 256;
    /** Workers exit right after acknowledging shutdown; the bound only guards against the unforeseen. */
    private static final long JOIN_MILLIS = 10_000;

    private static final int RESET = 1;
    private static final int STEP = 2;
    private static final int SHUTDOWN = 3;

    private final SubEnvs subEnvs;
    private final int callerSliceEnd;
    private final Worker[] workers;
    private final AtomicInteger pending = new AtomicInteger();

    // The task of the current dispatch: plain fields, published to workers by the volatile write of
    // Worker.generation and read back after the volatile read of pending.
    private int command;
    private float[] taskObservations;
    private float[] taskActions;
    private VectorStep taskOut;
    private volatile Thread caller;
    private long generation;

    private boolean ready;
    private boolean closed;

    ThreadedVectorEnv(IntFunction<Env> factory, int numEnvs, int threads) {
        Validate.positive("threads", threads);
        this.subEnvs = new SubEnvs(factory, numEnvs);
        int slices = Math.min(threads, numEnvs);
        this.callerSliceEnd = sliceStart(numEnvs, slices, 1);
        this.workers = new Worker[slices - 1];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = new Worker(sliceStart(numEnvs, slices, w + 1), sliceStart(numEnvs, slices, w + 2));
        }
        for (Worker worker : workers) {
            Thread thread = new Thread(worker, "gorl-env-" + THREAD_NUMBERS.getAndIncrement());
            thread.setDaemon(true);
            worker.thread = thread;
            thread.start();
        }
    }

    /** Slices differ in size by at most one sub-env. */
    private static int sliceStart(int numEnvs, int slices, int slice) {
        return (int) ((long) numEnvs * slice / slices);
    }

    @Override
    public EnvSpec spec() {
        return subEnvs.spec;
    }

    @Override
    public int numEnvs() {
        return subEnvs.numEnvs;
    }

    @Override
    public void reset(long seed, float[] observations) {
        ensureOpen();
        ready = false;
        subEnvs.beginReset(seed, observations);
        taskObservations = observations;
        dispatch(RESET);
        ready = true;
    }

    @Override
    public void step(float[] actions, VectorStep out) {
        ensureOpen();
        if (!ready) {
            throw new IllegalStateException("reset the VectorEnv before stepping it (first use, or a sub-env "
                    + "failed in the previous step)");
        }
        subEnvs.beginStep(actions, out);
        taskActions = actions;
        taskOut = out;
        ready = false;
        dispatch(STEP);
        ready = true;
    }

    /** Runs the command on every slice, the caller's included, and rethrows the first failure by slice. */
    private void dispatch(int cmd) {
        command = cmd;
        caller = Thread.currentThread();
        pending.set(workers.length);
        long g = ++generation;
        for (Worker worker : workers) {
            worker.generation = g;
            LockSupport.unpark(worker.thread);
        }
        Throwable failure = null;
        if (cmd != SHUTDOWN) {
            try {
                run(cmd, 0, callerSliceEnd);
            } catch (Throwable t) {
                failure = t;
            }
        }
        // Always wait: workers may still be writing into the caller's arrays.
        for (int spins = 0; pending.get() != 0; ) {
            if (spins < SPINS_BEFORE_PARK) {
                spins++;
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        taskActions = null;
        taskOut = null;
        taskObservations = null;
        for (Worker worker : workers) {
            Throwable t = worker.failure;
            worker.failure = null;
            if (t == null) {
                continue;
            }
            if (failure == null) {
                failure = t;
            } else {
                failure.addSuppressed(t);
            }
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException(failure.toString(), failure);
        }
    }

    private void run(int cmd, int from, int to) {
        if (cmd == RESET) {
            subEnvs.reset(from, to, taskObservations);
        } else {
            subEnvs.step(from, to, taskActions, taskOut);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this VectorEnv is closed");
        }
    }

    /** Test hook: the worker threads (the caller's thread is not among them). */
    Thread[] workerThreads() {
        Thread[] threads = new Thread[workers.length];
        for (int w = 0; w < workers.length; w++) {
            threads[w] = workers[w].thread;
        }
        return threads;
    }

    /** Stops and joins the workers, then closes the sub-envs. Closing twice is harmless. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            dispatch(SHUTDOWN);
            for (Worker worker : workers) {
                worker.thread.join(JOIN_MILLIS);
            }
        } catch (InterruptedException e) {
            // Workers are daemons and already told to stop; keep the interrupt for the caller.
            Thread.currentThread().interrupt();
        } finally {
            subEnvs.close();
        }
    }

    @Override
    public String toString() {
        return "ThreadedVectorEnv[" + subEnvs.spec.id() + " x " + subEnvs.numEnvs + ", threads="
                + (workers.length + 1) + "]";
    }

    /** Owns the sub-envs {@code [from, to)} and steps them whenever the generation moves on. */
    private final class Worker implements Runnable {

        private final int from;
        private final int to;
        private Thread thread;
        private volatile long generation;
        /** Written before the countdown (a volatile write) and read after it reaches zero. */
        private Throwable failure;

        Worker(int from, int to) {
            this.from = from;
            this.to = to;
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long g;
                for (int spins = 0; (g = generation) == seen; ) {
                    if (spins < SPINS_BEFORE_PARK) {
                        spins++;
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                seen = g;
                int cmd = command;
                if (cmd != SHUTDOWN) {
                    try {
                        ThreadedVectorEnv.this.run(cmd, from, to);
                    } catch (Throwable t) {
                        failure = t;
                    }
                }
                if (pending.decrementAndGet() == 0) {
                    LockSupport.unpark(caller);
                }
                if (cmd == SHUTDOWN) {
                    return;
                }
            }
        }
    }
}

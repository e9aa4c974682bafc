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
 * through a volatile generation counter per worker and waits on a countdown of pending slices. A step of a
 * cheap env takes microseconds, and waking a parked thread costs tens of them, so waiting threads first spin
 * ({@link #SPIN_NANOS}), then yield ({@link #YIELD_NANOS}: on an oversubscribed machine the thread being
 * waited for gets the core), and only then park; a thread is unparked only when it announced that it parks.
 * A worker that is stepped again within its spin or yield window, as in a training loop whose learner is quick
 * between steps, never sleeps. Nothing is allocated per step. Results are bit-identical to
 * {@link SyncVectorEnv} because each sub-env is stepped by the same code with the same seeds, only on another
 * thread.
 */
final class ThreadedVectorEnv implements VectorEnv {

    /** Numbers worker threads across all instances, so thread dumps tell pools apart. */
    private static final AtomicInteger THREAD_NUMBERS = new AtomicInteger();
    /**
     * How long a waiting thread busy-spins ({@code onSpinWait}) before it starts yielding: 50 µs, several times
     * the wake-up latency of a parked thread, and about the gap between two vector steps of a tight loop.
     */
    static final long SPIN_NANOS = 50_000;
    /**
     * How long a waiting thread then yields before it parks: 200 µs more, to cover the learner's work between
     * two steps (a policy forward pass) without giving up the core to the scheduler. Yielding, unlike spinning,
     * lets any other runnable thread have the core, so an oversubscribed machine loses little to it.
     */
    static final long YIELD_NANOS = 200_000;
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
    /** Set by the caller right before it parks, so that the last worker unparks it only then. */
    private volatile boolean callerParked;
    /** Used only by the thread inside {@link #dispatch}, which is never entered concurrently. */
    private final Backoff callerBackoff = new Backoff();
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
            // Dekker-style with Worker.run: the worker sets parked, then re-reads generation before it parks;
            // both fields are volatile, so either it sees the new generation or this thread sees parked.
            if (worker.parked) {
                LockSupport.unpark(worker.thread);
            }
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
        if (pending.get() != 0) {
            awaitWorkers();
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

    private void awaitWorkers() {
        callerBackoff.start();
        while (pending.get() != 0) {
            if (!callerBackoff.pause()) {
                callerParked = true;
                if (pending.get() != 0) {
                    LockSupport.park(this);
                }
                callerParked = false;
            }
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
        /** Set by the worker right before it parks, so that a dispatch unparks it only then. */
        private volatile boolean parked;
        private final Backoff backoff = new Backoff();
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
                long g = generation;
                backoff.start();
                for (; g == seen; g = generation) {
                    if (!backoff.pause()) {
                        parked = true;
                        if (generation == seen) {
                            LockSupport.park(this);
                        }
                        parked = false;
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
                if (pending.decrementAndGet() == 0 && callerParked) {
                    LockSupport.unpark(caller);
                }
                if (cmd == SHUTDOWN) {
                    return;
                }
            }
        }
    }

    /** The spin-then-yield phase of a wait; one instance per waiting thread, reused, so waits allocate nothing. */
    private static final class Backoff {

        private long start;
        private long waited;
        private int rounds;

        void start() {
            start = System.nanoTime();
            waited = 0;
            rounds = 0;
        }

        /** Spins or yields once; {@code false} once the wait is long enough to park instead. */
        boolean pause() {
            if ((++rounds & 63) == 0) {
                waited = System.nanoTime() - start; // about 20 ns: read once every 64 rounds
            }
            if (waited < SPIN_NANOS) {
                Thread.onSpinWait();
                return true;
            }
            if (waited < SPIN_NANOS + YIELD_NANOS) {
                Thread.yield();
                return true;
            }
            return false;
        }
    }
}

package io.github.gorl.core.optim;

import ai.djl.engine.Engine;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Internal. PyTorch's intra-op thread count, set per kind of work ({@code GoRL.Builder#computeThreads}). Large
 * minibatches run faster on more threads and small ones slower (docs/benchmarks.md: on 2 cores, 960-row PPO
 * minibatches 1.58x faster on two threads, 60-row ones 0.65x; a 65,536-row refit step 1.9x, an 8,192-row one
 * 0.8x), so one setting for the whole run is wrong for one of its kinds of work.
 *
 * <p>DJL's engine-neutral API has no thread setter; PyTorch's engine has {@code JniUtils.setNumThreads}
 * ({@code at::set_num_threads}), reached here by reflection so that gorl-core needs the engine only at run time,
 * as before.
 */
public final class ComputeThreads {

    private static MethodHandle getter;
    private static MethodHandle setter;
    /** Threads for optimizer updates on a whole rollout's minibatches; 0 leaves the count alone. */
    private static volatile int update;

    private ComputeThreads() {}

    /**
     * Sets the thread count that {@link #beginUpdate()} switches to; the trainer sets it from
     * {@code GoRL.Builder#computeThreads} for the length of a {@code train()}, since PyTorch's count is one per
     * process.
     *
     * @param threads the count, 0 for none
     * @return the previous setting, to restore afterwards
     */
    public static int configureUpdates(int threads) {
        int before = update;
        update = Math.max(0, threads);
        return before;
    }

    /**
     * Switches to the update threads (when configured) for an optimizer's minibatch updates, whose tensors are far
     * larger than those of per-step inference.
     *
     * @return the count to restore with {@link #use}, or 0 when nothing changed
     */
    public static int beginUpdate() {
        return switchTo(update);
    }

    /**
     * Switches to {@code threads} unless it is 0.
     *
     * @param threads the count, 0 to leave the engine alone
     * @return the count before, to restore with {@link #use}, or 0 when nothing changed
     */
    public static synchronized int switchTo(int threads) {
        if (threads <= 0) {
            return 0;
        }
        int before = current();
        use(threads);
        return before;
    }

    /**
     * Sets the engine's intra-op threads to {@code threads} unless it is 0 (leave the engine's setting).
     *
     * @throws IllegalStateException if threads are asked for and the engine is not DJL's PyTorch engine
     */
    public static synchronized void use(int threads) {
        if (threads <= 0) {
            return;
        }
        try {
            bind();
            if ((int) getter.invokeExact() != threads) {
                setter.invokeExact(threads);
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot set PyTorch's intra-op threads to " + threads + ": " + e, e);
        }
    }

    /**
     * The engine's intra-op threads now.
     *
     * @return the count
     * @throws IllegalStateException if the engine is not DJL's PyTorch engine
     */
    public static synchronized int current() {
        try {
            bind();
            return (int) getter.invokeExact();
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot read PyTorch's intra-op threads: " + e, e);
        }
    }

    private static void bind() throws ReflectiveOperationException {
        if (setter != null) {
            return;
        }
        Engine engine = Engine.getInstance();
        if (!"PyTorch".equals(engine.getEngineName())) {
            throw new IllegalStateException("computeThreads needs DJL's PyTorch engine, but the engine is "
                    + engine.getEngineName());
        }
        Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils", true, engine.getClass().getClassLoader());
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        getter = lookup.findStatic(jni, "getNumThreads", MethodType.methodType(int.class));
        setter = lookup.findStatic(jni, "setNumThreads", MethodType.methodType(void.class, int.class));
    }
}

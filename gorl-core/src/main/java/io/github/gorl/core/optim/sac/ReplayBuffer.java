package io.github.gorl.core.optim.sac;

import io.github.gorl.decoders.nn.DoubleBits;
import io.github.gorl.decoders.nn.TensorFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The replay buffer of latent SAC: a ring of {@code capacity} transitions
 * {@code (s, eps, r, s', terminated, truncated)} in preallocated primitive arrays, row-major, so adding and
 * sampling allocate nothing. When full, each new transition overwrites the oldest.
 *
 * <p>{@code s'} is the observation the transition led to: for a finished episode, the <em>final</em>
 * observation of that episode (not the first observation of the next one), so that a truncated
 * transition bootstraps from the state where the time limit cut it. {@code terminated} and
 * {@code truncated} are stored separately: only {@code terminated} stops bootstrapping.
 */
final class ReplayBuffer {

    final int capacity;
    final int observationDim;
    final int latentDim;
    /** {@code s}, raw, {@code [capacity, observationDim]}. */
    final float[] observations;
    /** {@code eps}, unclipped, {@code [capacity, latentDim]}. */
    final float[] latents;
    /** Raw rewards {@code [capacity]} (scaled when targets are computed). */
    final float[] rewards;
    /** {@code s'}, raw, {@code [capacity, observationDim]}. */
    final float[] nextObservations;
    final boolean[] terminated;
    final boolean[] truncated;
    private int size;
    private int next;

    ReplayBuffer(int capacity, int observationDim, int latentDim) {
        this.capacity = capacity;
        this.observationDim = observationDim;
        this.latentDim = latentDim;
        long obsValues = (long) capacity * observationDim;
        long latentValues = (long) capacity * latentDim;
        if (obsValues > Integer.MAX_VALUE - 8 || latentValues > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("bufferCapacity " + capacity + " x observationDim " + observationDim
                    + " exceeds the largest Java array; lower bufferCapacity");
        }
        observations = new float[(int) obsValues];
        nextObservations = new float[(int) obsValues];
        latents = new float[(int) latentValues];
        rewards = new float[capacity];
        terminated = new boolean[capacity];
        truncated = new boolean[capacity];
    }

    /**
     * Appends one transition, overwriting the oldest when full.
     *
     * @param obs the array holding {@code s} at row {@code obsRow}
     * @param obsRow the row of {@code s} in {@code obs}
     * @param latent the array holding {@code eps} at row {@code obsRow}
     * @param reward {@code r}
     * @param nextObs the array holding {@code s'} at row {@code nextRow}
     * @param nextRow the row of {@code s'} in {@code nextObs}
     * @param isTerminated whether {@code s'} is terminal
     * @param isTruncated whether the episode was cut by the time limit at {@code s'}
     */
    void add(float[] obs, int obsRow, float[] latent, float reward, float[] nextObs, int nextRow,
            boolean isTerminated, boolean isTruncated) {
        int row = next;
        System.arraycopy(obs, obsRow * observationDim, observations, row * observationDim, observationDim);
        System.arraycopy(latent, obsRow * latentDim, latents, row * latentDim, latentDim);
        System.arraycopy(nextObs, nextRow * observationDim, nextObservations, row * observationDim, observationDim);
        rewards[row] = reward;
        terminated[row] = isTerminated;
        truncated[row] = isTruncated;
        next = (row + 1) % capacity;
        size = Math.min(size + 1, capacity);
    }

    /** The number of stored transitions, at most {@code capacity}. */
    int size() {
        return size;
    }

    /** Forgets every transition (the arrays are kept). */
    void clear() {
        size = 0;
        next = 0;
    }

    /**
     * The storage row of the {@code k}-th oldest transition.
     *
     * @param k in {@code [0, size)}; 0 is the oldest
     * @return the row
     */
    int row(int k) {
        if (k < 0 || k >= size) {
            throw new IndexOutOfBoundsException("transition " + k + " of " + size);
        }
        int oldest = size < capacity ? 0 : next;
        return (oldest + k) % capacity;
    }

    /**
     * Draws {@code batch.size} transitions uniformly with replacement into {@code batch}.
     *
     * @param random the index source
     * @param batch the preallocated destination
     */
    void sample(SplittableRandom random, Batch batch) {
        if (size == 0) {
            throw new IllegalStateException("cannot sample from an empty replay buffer");
        }
        for (int j = 0; j < batch.size; j++) {
            batch.copyFrom(this, random.nextInt(size), j);
        }
    }

    /**
     * The stored rows of one of this buffer's arrays, oldest first (for checkpoints).
     *
     * @param array one of {@link #observations}, {@link #latents}, {@link #rewards}, {@link #nextObservations}
     * @param width the values per row of {@code array}
     * @return {@code [size, width]}
     */
    float[] chronological(float[] array, int width) {
        float[] out = new float[size * width];
        for (int k = 0; k < size; k++) {
            System.arraycopy(array, row(k) * width, out, k * width, width);
        }
        return out;
    }

    /**
     * A flag array, oldest first, as 0 or 1 (for checkpoints).
     *
     * @param flags {@link #terminated} or {@link #truncated}
     * @return {@code [size]}
     */
    float[] chronological(boolean[] flags) {
        float[] out = new float[size];
        for (int k = 0; k < size; k++) {
            out[k] = flags[row(k)] ? 1f : 0f;
        }
        return out;
    }

    /**
     * Replaces the content with {@code n} transitions given oldest first (as written by a checkpoint).
     *
     * @param n the number of transitions, at most {@code capacity}
     * @param obs {@code [n, observationDim]}
     * @param eps {@code [n, latentDim]}
     * @param r {@code [n]}
     * @param nextObs {@code [n, observationDim]}
     * @param term {@code [n]}, 0 or 1
     * @param trunc {@code [n]}, 0 or 1
     */
    void restore(int n, float[] obs, float[] eps, float[] r, float[] nextObs, float[] term, float[] trunc) {
        if (n > capacity) {
            throw new IllegalArgumentException("the saved replay buffer holds " + n
                    + " transitions, more than this SAC's bufferCapacity " + capacity);
        }
        System.arraycopy(obs, 0, observations, 0, n * observationDim);
        System.arraycopy(eps, 0, latents, 0, n * latentDim);
        System.arraycopy(r, 0, rewards, 0, n);
        System.arraycopy(nextObs, 0, nextObservations, 0, n * observationDim);
        for (int k = 0; k < n; k++) {
            terminated[k] = term[k] != 0;
            truncated[k] = trunc[k] != 0;
        }
        size = n;
        next = n % capacity;
    }

    /**
     * The stored rows as file entries, in storage order (no copy of the large arrays), with the write position:
     * {@link #restore(TensorFile.Content, Path)} puts every transition back into its slot, so sampling after a
     * restore draws exactly what it would have drawn.
     *
     * @return the entries of a replay-buffer file
     */
    List<TensorFile.Slice> slices() {
        List<TensorFile.Slice> slices = new ArrayList<>();
        slices.add(TensorFile.Slice.of("dims", new float[] {capacity, observationDim, latentDim}));
        slices.add(TensorFile.Slice.of("position", DoubleBits.encode(size, next)));
        slices.add(new TensorFile.Slice("observations", observations, 0, size * observationDim));
        slices.add(new TensorFile.Slice("latents", latents, 0, size * latentDim));
        slices.add(new TensorFile.Slice("rewards", rewards, 0, size));
        slices.add(new TensorFile.Slice("next_observations", nextObservations, 0, size * observationDim));
        slices.add(TensorFile.Slice.of("terminated", flags(terminated)));
        slices.add(TensorFile.Slice.of("truncated", flags(truncated)));
        return slices;
    }

    private float[] flags(boolean[] values) {
        float[] out = new float[size];
        for (int k = 0; k < size; k++) {
            out[k] = values[k] ? 1f : 0f;
        }
        return out;
    }

    /**
     * Restores what {@link #slices()} wrote, slot for slot.
     *
     * @param content the file's content
     * @param file the file, for messages
     * @throws IOException if it was written by a buffer of another shape or is inconsistent
     */
    void restore(TensorFile.Content content, Path file) throws IOException {
        float[] dims = content.require("dims", 3);
        if ((int) dims[0] != capacity || (int) dims[1] != observationDim || (int) dims[2] != latentDim) {
            throw new IOException(file + " holds a replay buffer of capacity " + (int) dims[0] + ", observationDim "
                    + (int) dims[1] + " and latentDim " + (int) dims[2] + ", but this SAC's has " + capacity + ", "
                    + observationDim + " and " + latentDim);
        }
        double[] position = DoubleBits.decode(content.require("position", 4), 2, "position");
        int n = (int) position[0];
        int at = (int) position[1];
        if (n < 0 || n > capacity || at < 0 || at >= capacity || (n < capacity && at != n % capacity)) {
            throw new IOException(file + " holds an inconsistent replay buffer position: size " + n + ", next " + at
                    + " of capacity " + capacity);
        }
        System.arraycopy(content.require("observations", n * observationDim), 0, observations, 0,
                n * observationDim);
        System.arraycopy(content.require("latents", n * latentDim), 0, latents, 0, n * latentDim);
        System.arraycopy(content.require("rewards", n), 0, rewards, 0, n);
        System.arraycopy(content.require("next_observations", n * observationDim), 0, nextObservations, 0,
                n * observationDim);
        float[] term = content.require("terminated", n);
        float[] trunc = content.require("truncated", n);
        for (int k = 0; k < n; k++) {
            terminated[k] = term[k] != 0;
            truncated[k] = trunc[k] != 0;
        }
        size = n;
        next = at;
    }

    /** A preallocated minibatch, row-major like the buffer. */
    static final class Batch {
        final int size;
        final int observationDim;
        final int latentDim;
        final float[] observations;
        final float[] latents;
        final float[] rewards;
        final float[] nextObservations;
        /** {@code 1 - terminated}: the bootstrap mask; a truncated transition keeps 1. */
        final float[] notTerminated;

        Batch(int size, int observationDim, int latentDim) {
            this.size = size;
            this.observationDim = observationDim;
            this.latentDim = latentDim;
            observations = new float[size * observationDim];
            latents = new float[size * latentDim];
            rewards = new float[size];
            nextObservations = new float[size * observationDim];
            notTerminated = new float[size];
            Arrays.fill(notTerminated, 1f);
        }

        /** Copies storage row {@code row} of {@code buffer} into batch row {@code j}. */
        void copyFrom(ReplayBuffer buffer, int row, int j) {
            System.arraycopy(buffer.observations, row * observationDim, observations, j * observationDim,
                    observationDim);
            System.arraycopy(buffer.latents, row * latentDim, latents, j * latentDim, latentDim);
            System.arraycopy(buffer.nextObservations, row * observationDim, nextObservations, j * observationDim,
                    observationDim);
            rewards[j] = buffer.rewards[row];
            notTerminated[j] = buffer.terminated[row] ? 0f : 1f;
        }
    }
}

package io.github.gorl.decoders.nn;

import java.util.SplittableRandom;

/** Minibatch order for gorl-java's optimizers and decoder fits. Not part of the stable API. */
public final class Shuffle {

    private Shuffle() {}

    /**
     * Shuffles in place (Fisher-Yates: from the last index down, swap with a uniform earlier-or-same index), so
     * that a seeded {@code random} gives the same order on every run.
     *
     * @param values the array to permute
     * @param random the source of the swaps; advanced {@code values.length - 1} times
     */
    public static void inPlace(int[] values, SplittableRandom random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
    }
}

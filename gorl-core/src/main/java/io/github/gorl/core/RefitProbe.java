package io.github.gorl.core;

import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.EnvSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a refit does to the policy's deterministic action, measured on the refit's own states. Before the fit it
 * records the data policy's deterministic action (the encoder that collected the data, through the decoder it was
 * trained with); after the fit, the refit decoder's {@code g_phi(s, 0)}: the action a stage whose encoder starts at
 * its prior ({@code EncoderInit.PRIOR}, {@code PRIOR_WARM_VALUE}) takes deterministically, and so the policy that the
 * first evaluation after the refit scores. Both are compared as executed (squashed) actions, so a large shift says
 * that this evaluation will differ from the data policy's before a single encoder update, whatever the refit's loss.
 */
final class RefitProbe {

    /** States probed: evenly spaced over the refit's data. */
    static final int ROWS = 1024;

    private final EnvSpec spec;
    private final float[] states;
    private final int rows;
    private final float[] before;

    private RefitProbe(EnvSpec spec, float[] states, int rows, float[] before) {
        this.spec = spec;
        this.states = states;
        this.rows = rows;
        this.before = before;
    }

    /**
     * Records the data policy's deterministic actions on up to {@link #ROWS} of the data's states.
     *
     * @param policy the composed policy as it collected the data
     * @param data the refit's data
     * @return the probe, for {@link #after}
     */
    static RefitProbe before(ComposedPolicy policy, DecoderDataset data) {
        EnvSpec spec = policy.spec();
        int rows = Math.min(ROWS, data.size());
        int od = data.observationDim();
        float[] all = data.observations();
        float[] states = new float[rows * od];
        for (int i = 0; i < rows; i++) {
            int row = (int) ((long) i * data.size() / rows);
            System.arraycopy(all, row * od, states, i * od, od);
        }
        float[] before = new float[rows * spec.actionDim()];
        policy.act(states, rows, true, before);
        policy.squashing().apply(before, before, spec);
        return new RefitProbe(spec, states, rows, before);
    }

    /**
     * The refit's metrics: {@code refit_prior_mean_shift}, the root mean square over states and action dimensions of
     * the executed action at the prior's mean latent minus the data policy's deterministic one;
     * {@code refit_data_action_abs} and {@code refit_prior_mean_action_abs}, the mean absolute executed action of each
     * (an action near 0 in every dimension is a policy that stands still).
     *
     * @param policy the composed policy, its decoder refit
     * @return the three values, in that order
     */
    Map<String, Double> after(ComposedPolicy policy) {
        float[] after = new float[before.length];
        policy.actAtPriorMean(states, rows, after);
        policy.squashing().apply(after, after, spec);
        double squared = 0;
        double absBefore = 0;
        double absAfter = 0;
        for (int j = 0; j < before.length; j++) {
            double d = after[j] - before[j];
            squared += d * d;
            absBefore += Math.abs(before[j]);
            absAfter += Math.abs(after[j]);
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("refit_prior_mean_shift", Math.sqrt(squared / before.length));
        values.put("refit_data_action_abs", absBefore / before.length);
        values.put("refit_prior_mean_action_abs", absAfter / before.length);
        return values;
    }
}

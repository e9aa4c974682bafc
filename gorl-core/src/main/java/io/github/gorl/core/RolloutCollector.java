package io.github.gorl.core;

import io.github.gorl.api.ActionSquashing;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects the decoder's training data: {@code (s, a)} pairs from rollouts of the current composed policy,
 * with stochastic latents {@code eps ~ pi_theta(.|s)} so that the data carries the policy's full action
 * distribution, not only its mean.
 *
 * <p>The stored action depends on the run's {@link ActionSquashing}: with {@code CLIP} the action clipped to the
 * bounds, which the environment executed, so the refined decoder reproduces the executed policy; with {@code TANH} the
 * decoder's pre-squash output (clipped to {@code [-targetClip, targetClip]} when set), which the decoder must learn
 * to produce. With {@code topFraction < 1}, only whole episodes are kept and only the best {@code topFraction} of
 * them by return. With {@code recordLatents}, each pair also keeps the encoder latent {@code eps} its action was
 * decoded from ({@link DecoderDataset#latents()}), for the encoder-latent ablation ({@link DecoderSource#ENCODER}).
 * {@link #collectEpisodes} collects whole episodes instead and reports each pair's episode and latent.
 */
final class RolloutCollector {

    private final VectorEnv env;
    private final ComposedPolicy policy;
    private final long seed;
    private final EnvSpec spec;
    private final ActionSquashing squashing;
    private final double targetClip;
    private long collections;
    private long stepsTaken;

    RolloutCollector(VectorEnv env, ComposedPolicy policy, long seed) {
        this(env, policy, seed, ActionSquashing.CLIP, Double.NaN);
    }

    RolloutCollector(VectorEnv env, ComposedPolicy policy, long seed, ActionSquashing squashing, double targetClip) {
        this.env = env;
        this.policy = policy;
        this.seed = seed;
        this.spec = env.spec();
        this.squashing = squashing;
        this.targetClip = targetClip;
    }

    /**
     * Whole episodes, their pairs, the episode of each pair and the encoder latent each action was decoded from.
     *
     * @param data the pairs
     * @param episodeIds {@code [size]}, 0-based in order of completion
     * @param latents {@code [size, actionDim]}
     */
    record Episodes(DecoderDataset data, int[] episodeIds, float[] latents) {}

    /**
     * Runs the stochastic composed policy on every sub-env until {@code count} episodes have finished (all start at
     * the collection's reset) and keeps the first {@code count} to finish; the reference collects 4,096 on 64 envs.
     *
     * @param count the episodes, {@code > 0}
     * @return the episodes' pairs
     */
    Episodes collectEpisodes(int count) {
        int n = env.numEnvs();
        int obsDim = spec.observationDim();
        int actDim = spec.actionDim();
        float[] observations = new float[n * obsDim];
        float[] raw = new float[n * actDim];
        float[] executed = new float[n * actDim];
        float[] latents = new float[n * actDim];
        VectorStep step = new VectorStep(n, obsDim);
        env.reset(seed + 1_000_003L * collections++, observations);
        List<Episode> finished = new ArrayList<>();
        Episode[] current = new Episode[n];
        for (int i = 0; i < n; i++) {
            current[i] = new Episode(obsDim, actDim);
        }
        while (finished.size() < count) {
            policy.act(observations, n, false, raw, latents);
            squashing.apply(raw, executed, spec);
            float[] stored = stored(raw, executed);
            for (int i = 0; i < n; i++) {
                current[i].add(observations, i * obsDim, stored, latents, i * actDim);
            }
            env.step(executed, step);
            stepsTaken += n;
            for (int i = 0; i < n; i++) {
                current[i].totalReturn += step.rewards()[i];
                if (step.terminated()[i] || step.truncated()[i]) {
                    if (finished.size() < count) {
                        finished.add(current[i]);
                    }
                    current[i] = new Episode(obsDim, actDim);
                }
            }
            System.arraycopy(step.observations(), 0, observations, 0, observations.length);
        }
        int total = finished.stream().mapToInt(e -> e.size).sum();
        float[] obsOut = new float[total * obsDim];
        float[] actOut = new float[total * actDim];
        float[] latOut = new float[total * actDim];
        int[] ids = new int[total];
        int row = 0;
        for (int e = 0; e < finished.size(); e++) {
            Episode episode = finished.get(e);
            System.arraycopy(episode.observations, 0, obsOut, row * obsDim, episode.size * obsDim);
            System.arraycopy(episode.actions, 0, actOut, row * actDim, episode.size * actDim);
            System.arraycopy(episode.latents, 0, latOut, row * actDim, episode.size * actDim);
            java.util.Arrays.fill(ids, row, row + episode.size, e);
            row += episode.size;
        }
        return new Episodes(DecoderDataset.of(obsDim, actDim, obsOut, actOut), ids, latOut);
    }

    /**
     * What the decoder learns for one step: the executed (clipped) action, or under {@code TANH} the pre-squash
     * action, clipped to the target bound when set.
     */
    private float[] stored(float[] raw, float[] executed) {
        if (squashing == ActionSquashing.CLIP) {
            return executed;
        }
        if (Double.isNaN(targetClip)) {
            return raw;
        }
        float bound = (float) targetClip;
        for (int j = 0; j < raw.length; j++) {
            raw[j] = Math.max(-bound, Math.min(bound, raw[j]));
        }
        return raw;
    }

    DecoderDataset collect(int pairs, double topFraction) {
        return collect(pairs, topFraction, false);
    }

    DecoderDataset collect(int pairs, double topFraction, boolean recordLatents) {
        int n = env.numEnvs();
        int obsDim = spec.observationDim();
        int actDim = spec.actionDim();
        float[] observations = new float[n * obsDim];
        float[] raw = new float[n * actDim];
        float[] actions = new float[n * actDim];
        float[] latents = recordLatents ? new float[n * actDim] : null;
        VectorStep step = new VectorStep(n, obsDim);
        env.reset(seed + 1_000_003L * collections++, observations);

        // Whole episodes are needed only to rank them; otherwise every step counts.
        boolean filter = topFraction < 1.0;
        long wanted = filter ? (long) Math.ceil(pairs / topFraction) : pairs;
        List<Episode> episodes = new ArrayList<>();
        Episode[] current = new Episode[n];
        for (int i = 0; i < n; i++) {
            current[i] = new Episode(obsDim, actDim);
        }
        long kept = 0;
        while (kept < wanted) {
            policy.act(observations, n, false, raw, latents);
            squashing.apply(raw, actions, spec);
            float[] stored = stored(raw, actions);
            for (int i = 0; i < n; i++) {
                current[i].add(observations, i * obsDim, stored, latents, i * actDim);
            }
            env.step(actions, step);
            stepsTaken += n;
            for (int i = 0; i < n; i++) {
                current[i].totalReturn += step.rewards()[i];
                if (!filter) {
                    kept++;
                }
                if (step.terminated()[i] || step.truncated()[i]) {
                    if (filter) {
                        kept += current[i].size;
                        episodes.add(current[i]);
                        current[i] = new Episode(obsDim, actDim);
                    }
                }
            }
            if (!filter) {
                for (int i = 0; i < n; i++) {
                    if (current[i].size >= 4096 || kept >= wanted) {
                        episodes.add(current[i]);
                        current[i] = new Episode(obsDim, actDim);
                    }
                }
            }
            System.arraycopy(step.observations(), 0, observations, 0, observations.length);
        }
        if (filter) {
            episodes.sort(Comparator.comparingDouble((Episode e) -> e.totalReturn).reversed());
        }
        int total = 0;
        List<Episode> chosen = new ArrayList<>();
        for (Episode e : episodes) {
            if (total >= pairs) {
                break;
            }
            chosen.add(e);
            total += e.size;
        }
        total = Math.min(total, pairs);
        float[] obsOut = new float[total * obsDim];
        float[] actOut = new float[total * actDim];
        float[] latOut = recordLatents ? new float[total * actDim] : null;
        int row = 0;
        for (Episode e : chosen) {
            int take = Math.min(e.size, total - row);
            System.arraycopy(e.observations, 0, obsOut, row * obsDim, take * obsDim);
            System.arraycopy(e.actions, 0, actOut, row * actDim, take * actDim);
            if (latOut != null) {
                System.arraycopy(e.latents, 0, latOut, row * actDim, take * actDim);
            }
            row += take;
        }
        DecoderDataset data = DecoderDataset.of(obsDim, actDim, obsOut, actOut);
        return latOut == null ? data : data.withLatents(latOut);
    }

    /** The environment steps spent collecting so far, over all collections. */
    long stepsTaken() {
        return stepsTaken;
    }

    /** One episode's (or one chunk's) pairs, in growable primitive arrays. */
    private static final class Episode {
        private final int obsDim;
        private final int actDim;
        float[] observations;
        float[] actions;
        float[] latents;
        int size;
        double totalReturn;

        Episode(int obsDim, int actDim) {
            this.obsDim = obsDim;
            this.actDim = actDim;
            this.observations = new float[64 * obsDim];
            this.actions = new float[64 * actDim];
        }

        void add(float[] obs, int obsOffset, float[] act, float[] lat, int actOffset) {
            if ((size + 1) * obsDim > observations.length) {
                observations = java.util.Arrays.copyOf(observations, observations.length * 2);
                actions = java.util.Arrays.copyOf(actions, actions.length * 2);
            }
            System.arraycopy(obs, obsOffset, observations, size * obsDim, obsDim);
            System.arraycopy(act, actOffset, actions, size * actDim, actDim);
            if (lat != null) {
                if (latents == null || latents.length < actions.length) {
                    latents = java.util.Arrays.copyOf(latents == null ? new float[0] : latents, actions.length);
                }
                System.arraycopy(lat, actOffset, latents, size * actDim, actDim);
            }
            size++;
        }
    }
}

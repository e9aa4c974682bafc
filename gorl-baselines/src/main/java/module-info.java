/**
 * The paper's generative-policy baselines, FPO ({@code Fpo.builder()}) and DPPO ({@code Dppo.builder()}), as
 * policies on gorl-core's PPO engine. Use them with the identity decoder and one stage.
 */
module io.github.gorl.baselines {
    requires transitive io.github.gorl.core;

    exports io.github.gorl.baselines;
}

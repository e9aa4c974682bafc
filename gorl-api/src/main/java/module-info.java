/**
 * The contract of gorl-java: environments ({@code Env}, {@code VectorEnv}, {@code EnvSpec}), the three pluggable
 * parts ({@code LatentPolicyOptimizer}, {@code GenerativeDecoder}, {@code StageSchedule}) and the values they
 * exchange. A third-party optimizer, decoder or schedule needs this module and DJL's API only.
 */
module io.github.gorl.api {
    requires transitive ai.djl.api;

    exports io.github.gorl.api;
}

/**
 * A modular downstream project: it reads gorl-java's modules and sees only what they export, so a user part that
 * needed an internal package (decoders.nn, the PPO engine, the MuJoCo binding) would not compile here.
 */
module com.example.consumer {
    requires io.github.gorl.core;
    requires io.github.gorl.envs;
    requires io.github.gorl.analysis;
}

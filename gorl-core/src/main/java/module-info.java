/**
 * The GoRL trainer ({@code GoRL}, {@code DecoderRefit}, {@code Preset}), latent PPO ({@code optim.ppo.Ppo}) and
 * latent SAC ({@code optim.sac.Sac}), listeners, run directories and checkpoints. The PPO engine and the shared
 * optimizer pieces ({@code optim}, {@code optim.ppo.engine}) are internal: exported to gorl-baselines only.
 *
 * <p>Runtime dependencies: DJL with the PyTorch engine, Jackson and SLF4J. {@code me.tongfei:progressbar} (for
 * {@code Listeners.progressBar()}) and XChart (for {@code learning_curve.png}) are optional.
 */
module io.github.gorl.core {
    requires transitive io.github.gorl.api;
    requires transitive io.github.gorl.decoders;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    requires static me.tongfei.progressbar;
    requires static org.knowm.xchart;
    requires static java.desktop;

    exports io.github.gorl.core;
    exports io.github.gorl.core.optim.ppo;
    exports io.github.gorl.core.optim.sac;
    exports io.github.gorl.core.train;
    exports io.github.gorl.core.optim to io.github.gorl.baselines;
    exports io.github.gorl.core.optim.ppo.engine to io.github.gorl.baselines;
}

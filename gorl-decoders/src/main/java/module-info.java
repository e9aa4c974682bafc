/**
 * The generative decoders: {@code FlowMatchingDecoder}, {@code DiffusionDecoder} and {@code IdentityDecoder}.
 * {@code io.github.gorl.decoders.nn} (the MLP, Adam, normalizer and tensor files they are built from) is internal:
 * exported to gorl-java's own modules only, and free to change between releases.
 */
module io.github.gorl.decoders {
    requires transitive io.github.gorl.api;
    requires org.slf4j;

    exports io.github.gorl.decoders;
    exports io.github.gorl.decoders.flow;
    exports io.github.gorl.decoders.diffusion;
    exports io.github.gorl.decoders.nn to
            io.github.gorl.core, io.github.gorl.baselines, io.github.gorl.analysis, io.github.gorl.examples;
}

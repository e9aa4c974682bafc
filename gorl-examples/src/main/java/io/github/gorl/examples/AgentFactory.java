package io.github.gorl.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.DecoderSource;
import io.github.gorl.core.GoRL;
import io.github.gorl.core.Preset;
import io.github.gorl.api.NonFinitePolicy;
import io.github.gorl.baselines.Dppo;
import io.github.gorl.baselines.Fpo;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.decoders.diffusion.DiffusionDecoder;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import io.github.gorl.core.train.JsonFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Builds the optimizer and decoder named on the command line, one way for {@code gorl train} and for the commands
 * that reload its run directories, so that a reloaded agent has exactly the configuration its checkpoint records.
 */
final class AgentFactory {

    private AgentFactory() {}

    /** The latent optimizer {@code --optimizer name} with the task's CPU preset. */
    static LatentPolicyOptimizer optimizer(String name, String task) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "ppo" -> Preset.cpu(task).ppo().build();
            case "sac" -> Preset.cpuSac(task).sac().build();
            case "fpo" -> Fpo.builder().preset(Preset.cpu(task)).build();
            case "dppo" -> Dppo.builder().preset(Preset.cpu(task)).build();
            default -> throw new IllegalArgumentException("--optimizer must be ppo, sac, fpo or dppo, got '" + name + "'");
        };
    }

    /** The decoder {@code --decoder name} with its defaults. */
    static GenerativeDecoder decoder(String name) {
        return decoder(name, null);
    }

    /**
     * The decoder {@code --decoder name}, with the given hidden layer widths or, when {@code null}, its defaults.
     *
     * @throws IllegalArgumentException for an unknown name, bad widths, or widths given for the identity decoder
     */
    static GenerativeDecoder decoder(String name, int[] hiddenLayers) {
        String key = name.toLowerCase(Locale.ROOT);
        if (hiddenLayers != null && key.equals("identity")) {
            throw new IllegalArgumentException("--decoder identity has no network: drop --decoder-hidden/"
                    + "--decoder-width");
        }
        return switch (key) {
            case "flow" -> hiddenLayers == null ? FlowMatchingDecoder.builder().build()
                    : FlowMatchingDecoder.builder().hiddenLayers(hiddenLayers).build();
            case "diffusion" -> hiddenLayers == null ? DiffusionDecoder.builder().build()
                    : DiffusionDecoder.builder().hiddenLayers(hiddenLayers).build();
            case "identity" -> new IdentityDecoder();
            default -> throw new IllegalArgumentException(
                    "--decoder must be one of flow, diffusion, identity, got '" + name + "'");
        };
    }

    /** The decoder source {@code --decoder-source prior|encoder|learned-prior}, as {@code run.json} records it. */
    static DecoderSource decoderSource(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "prior" -> DecoderSource.PRIOR;
            case "encoder" -> DecoderSource.ENCODER;
            case "learned-prior" -> DecoderSource.LEARNED_PRIOR;
            default -> throw new IllegalArgumentException(
                    "--decoder-source must be prior, encoder or learned-prior, got '" + name + "'");
        };
    }

    /** The non-finite policy {@code --on-nan stop|skip}. */
    static NonFinitePolicy nonFinitePolicy(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "stop" -> NonFinitePolicy.STOP;
            case "skip" -> NonFinitePolicy.SKIP_BATCH;
            default -> throw new IllegalArgumentException("--on-nan must be stop or skip, got '" + name + "'");
        };
    }

    /**
     * Rebuilds the agent of a run directory written by {@code gorl train} from its {@code run.json} (task, number of
     * training envs, optimizer, decoder, seed), or for a {@code --preset paper} run from the preset its
     * {@code train-args.json} names, and loads {@code checkpoint/} into it.
     *
     * @param runDirectory the run directory
     * @return the agent with its environments; close it
     * @throws IOException if {@code run.json} or the checkpoint is missing or does not match (the message says which)
     */
    static LoadedRun load(Path runDirectory) throws IOException {
        Path runJson = runDirectory.resolve("run.json");
        JsonNode run;
        try {
            run = JsonFile.read(runJson);
        } catch (NoSuchFileException e) {
            throw new IOException(runDirectory + " is not a run directory: " + runJson + " is missing", e);
        }
        String task = require(run, runJson, "task", "id").asText();
        int numEnvs = require(run, runJson, "task", "numEnvs").asInt();
        String optimizerName = require(run, runJson, "optimizer", "name").asText();
        String decoderName = require(run, runJson, "decoder", "name").asText();
        // A run trained with --decoder-hidden/--decoder-width records its widths; rebuild the same network.
        JsonNode widths = run.path("decoder").path("hiddenLayers");
        int[] hiddenLayers = null;
        if (widths.isArray() && !widths.isEmpty()) {
            hiddenLayers = new int[widths.size()];
            for (int i = 0; i < hiddenLayers.length; i++) {
                hiddenLayers[i] = widths.get(i).asInt();
            }
        }
        long seed = require(run, runJson, "seed", null).asLong();
        // A learned-prior run's decoder holds the prior: rebuild it with the same source (older runs record none).
        DecoderSource source = decoderSource(run.path("trainer").path("decoderSource").asText("prior"));
        // A --preset paper run is rebuilt from the options it was started with (train-args.json): its networks and
        // its action squashing are the preset's, not the command line's defaults.
        TrainCommand paper = null;
        if (Files.isRegularFile(runDirectory.resolve(TrainArguments.FILE))) {
            List<String> args = TrainArguments.recorded(runDirectory);
            int at = args.indexOf("--preset");
            if (args.contains("--preset=paper") || (at >= 0 && at + 1 < args.size()
                    && args.get(at + 1).equalsIgnoreCase("paper"))) {
                paper = TrainArguments.read(runDirectory);
            }
        }
        VectorEnv train = Tasks.vector(task, numEnvs);
        VectorEnv eval = null;
        GoRL agent = null;
        try {
            eval = Tasks.vector(task, 1);
            GoRL.Builder builder;
            if (paper != null) {
                // The paper preset's networks, squashing and latent bounds, as gorl train built them.
                builder = TrainCommand.paperBuilder(paper.paperPreset().envs(numEnvs), paper.paperGenerative());
            } else {
                builder = GoRL.builder()
                        .optimizer(optimizer(optimizerName, task))
                        .decoder(decoder(decoderName, hiddenLayers))
                        .decoderSource(source)
                        // Not trained again: any valid schedule will do, and a single stage suits every decoder.
                        .schedule(StageSchedule.single(1, 0.0));
            }
            agent = builder.env(train).evalEnv(eval).seed(seed).build();
            agent.load(runDirectory.resolve("checkpoint"));
            return new LoadedRun(agent, train, eval, task, seed);
        } catch (IOException | RuntimeException e) {
            if (agent != null) {
                agent.close();
            }
            if (eval != null) {
                eval.close();
            }
            train.close();
            throw e;
        }
    }

    private static JsonNode require(JsonNode run, Path file, String field, String child) throws IOException {
        JsonNode node = child == null ? run.path(field) : run.path(field).path(child);
        if (node.isMissingNode() || node.isNull()) {
            throw new IOException(file + " has no " + field + (child == null ? "" : "." + child)
                    + "; was it written by gorl train?");
        }
        return node;
    }

    /**
     * An agent rebuilt from a run directory, with the environments it was built on.
     *
     * @param agent the agent, its checkpoint loaded
     * @param train the training vector env (sized as recorded, which the checkpoint check requires)
     * @param eval a one-env evaluation vector env
     * @param task the task name
     * @param seed the run's seed
     */
    record LoadedRun(GoRL agent, VectorEnv train, VectorEnv eval, String task, long seed) implements AutoCloseable {
        @Override
        public void close() {
            agent.close();
            eval.close();
            train.close();
        }
    }
}

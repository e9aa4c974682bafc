package io.github.gorl.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gorl.core.train.JsonFile;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code gorl train} options a run was started with, kept in its run directory as {@code train-args.json} so
 * that {@code gorl train --resume DIR} rebuilds exactly the same agent (task, presets, schedule, seed) and loads its
 * checkpoint into it.
 */
final class TrainArguments {

    static final String FILE = "train-args.json";

    private TrainArguments() {}

    /** Writes the options given on the command line, except {@code --out}, {@code --resume} and {@code --overwrite}. */
    static void write(Path runDirectory, CommandLine.ParseResult parsed) throws IOException {
        List<String> args = new ArrayList<>();
        for (OptionSpec o : parsed.matchedOptions()) {
            String name = o.longestName();
            if (name.equals("--out") || name.equals("--resume") || name.equals("--overwrite")) {
                continue;
            }
            if (o.arity().max() == 0) {
                args.add(name);
            } else {
                for (String v : o.originalStringValues()) {
                    args.add(name);
                    args.add(v);
                }
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", "train");
        json.put("args", args);
        JsonFile.write(runDirectory.resolve(FILE), json);
    }

    /**
     * A {@code train} command with the options the run in {@code runDirectory} was started with.
     *
     * @throws IOException if {@code train-args.json} is missing or unreadable (the message names it)
     */
    static TrainCommand read(Path runDirectory) throws IOException {
        List<String> args = recorded(runDirectory);
        TrainCommand command = new TrainCommand();
        try {
            new CommandLine(command).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new IOException(runDirectory.resolve(FILE) + " holds options this version does not accept: "
                    + e.getMessage(), e);
        }
        return command;
    }

    /**
     * The options the run in {@code runDirectory} was started with, as {@link #write} recorded them (without
     * {@code --out}), in command-line order.
     *
     * @throws IOException if {@code train-args.json} is missing or unreadable (the message names it)
     */
    static List<String> recorded(Path runDirectory) throws IOException {
        Path file = runDirectory.resolve(FILE);
        JsonNode json;
        try {
            json = JsonFile.read(file);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot resume " + runDirectory + ": " + file + " is missing (the options the run"
                    + " was started with); was it written by gorl train?", e);
        }
        if (!json.path("command").asText().equals("train") || !json.path("args").isArray()) {
            throw new IOException(file + " does not hold the options of a gorl train run (command \"train\" and"
                    + " an args array)");
        }
        List<String> args = new ArrayList<>();
        for (JsonNode a : json.path("args")) {
            if (!a.isTextual()) {
                throw new IOException(file + " holds a non-text argument " + a);
            }
            args.add(a.asText());
        }
        return args;
    }
}

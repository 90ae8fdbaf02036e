package io.rnnstream.demo;

import io.rnnstream.core.artifact.DirectorySource;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.train.ArtifactFactory;
import io.rnnstream.core.train.SequenceTrainer;
import io.rnnstream.core.train.TrainedModel;
import io.rnnstream.stream.model.ModelAnnouncement;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's model store: {@code <store>/<name>/<version>}, the layout the retraining job publishes
 * into. Trains first versions and loads any version back for the offline comparison.
 */
final class DemoModels {

    private final Path store;
    private final Map<String, SequenceClassifier> loaded = new HashMap<>();

    DemoModels(Path store) {
        this.store = store;
    }

    Path store() {
        return store;
    }

    Path directory(String name, long version) {
        return store.resolve(name).resolve(Long.toString(version));
    }

    /** Trains version 1 of {@code name} on {@code data} and writes its artifact. */
    ModelAnnouncement trainFirstVersion(
            String name, Dataset data, String dataFile, String format, TrainingOptions options)
            throws IOException {
        TrainedModel model = SequenceTrainer.train(data, options, e -> {});
        Path target = directory(name, 1);
        String sha256 =
                ArtifactFactory.write(
                        target,
                        model,
                        ArtifactFactory.manifest(
                                model,
                                name,
                                1,
                                new ArtifactFactory.Provenance(
                                        dataFile, format, null, "demo", null),
                                Map.of()));
        return new ModelAnnouncement(name, 1, target.toUri().toString(), sha256);
    }

    /** The serving classifier of a stored version, verified on first use and cached. */
    synchronized SequenceClassifier classifier(String name, long version) {
        return loaded.computeIfAbsent(
                name + "/" + version,
                k -> {
                    try {
                        return ModelArtifact.load(
                                        new DirectorySource(directory(name, version)), null)
                                .classifier();
                    } catch (IOException e) {
                        throw new DemoException(
                                "cannot load model " + name + " version " + version, e);
                    }
                });
    }

    /** The first {@code perClass} sequences of every label, in label order. */
    static Dataset perClass(Dataset data, int perClass) {
        Map<String, List<LabeledSequence>> byLabel = new LinkedHashMap<>();
        for (LabeledSequence sequence : data.sequences()) {
            List<LabeledSequence> members =
                    byLabel.computeIfAbsent(sequence.label(), l -> new ArrayList<>());
            if (members.size() < perClass) {
                members.add(sequence);
            }
        }
        List<LabeledSequence> picked = new ArrayList<>();
        byLabel.values().forEach(picked::addAll);
        return data.withSequences(data.name() + "-" + perClass + "-per-class", picked);
    }
}

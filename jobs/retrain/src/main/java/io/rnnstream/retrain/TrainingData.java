package io.rnnstream.retrain;

import io.rnnstream.core.data.DataFormat;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.data.Splits;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * The labelled sequences of one run, checked against what the model takes: its labels, input kind
 * and feature dimension (those of the version in service, or of the data for a first version).
 * Sequences that do not fit are reported, not trained on.
 *
 * @param train sequences to train on
 * @param holdout sequences both versions are evaluated on
 * @param report what was read and kept out
 */
record TrainingData(Dataset train, Dataset holdout, DataReport report) {

    static TrainingData build(
            List<AssembledSequence> fromTopic,
            String topicName,
            RetrainConfig config,
            ModelSpec inService)
            throws IOException, NotEnoughData {
        DataReport report = new DataReport();
        List<Dataset> files = read(config.dataFiles());
        List<Dataset> holdoutFiles = read(config.holdoutFiles());

        List<String> labels;
        InputKind kind;
        int dimension;
        if (inService != null) {
            labels = inService.labels();
            kind = inService.inputKind();
            dimension = kind == InputKind.FEATURES ? inService.inputSize() : 0;
        } else {
            TreeSet<String> seen = new TreeSet<>();
            fromTopic.stream().filter(s -> s.problem() == null).forEach(s -> seen.add(s.label()));
            files.forEach(d -> seen.addAll(d.labels()));
            holdoutFiles.forEach(d -> seen.addAll(d.labels()));
            labels = List.copyOf(seen);
            Shape shape = shape(fromTopic, files);
            kind = shape.kind();
            dimension = shape.dimension();
        }

        List<LabeledSequence> sequences = new ArrayList<>();
        int fromTopicCount = 0;
        for (AssembledSequence outcome : fromTopic) {
            if (outcome.problem() != null) {
                report.problem(outcome.problem(), describe(outcome) + ": " + outcome.detail());
                continue;
            }
            String misfit = misfit(outcome, labels, kind, dimension);
            if (misfit != null) {
                report.problem(
                        misfit.substring(0, misfit.indexOf(':')),
                        describe(outcome) + misfit.substring(misfit.indexOf(':')));
                continue;
            }
            sequences.add(
                    outcome.features() != null
                            ? LabeledSequence.ofFeatures(
                                    outcome.id(), outcome.features(), outcome.label())
                            : LabeledSequence.ofTokens(
                                    outcome.id(),
                                    Arrays.asList(outcome.tokens()),
                                    outcome.label()));
            fromTopicCount++;
        }
        report.sequences(topicName, fromTopicCount);
        for (int i = 0; i < files.size(); i++) {
            Dataset file =
                    checkFile(files.get(i), config.dataFiles().get(i), labels, kind, dimension);
            sequences.addAll(file.sequences());
            report.sequences(config.dataFiles().get(i).toString(), file.size());
        }

        Dataset all = new Dataset(topicName, sequences, labels, kind, dimension);
        if (all.size() < config.minSequences()) {
            throw new NotEnoughData(
                    all.size()
                            + " usable labelled sequences, min.sequences is "
                            + config.minSequences(),
                    report,
                    null);
        }
        TrainingData data;
        if (holdoutFiles.isEmpty()) {
            Splits.Split split =
                    Splits.stratified(all, config.holdoutFraction(), config.training().seed());
            data = new TrainingData(split.train(), split.holdout(), report);
        } else {
            List<LabeledSequence> holdout = new ArrayList<>();
            for (int i = 0; i < holdoutFiles.size(); i++) {
                holdout.addAll(
                        checkFile(
                                        holdoutFiles.get(i),
                                        config.holdoutFiles().get(i),
                                        labels,
                                        kind,
                                        dimension)
                                .sequences());
            }
            data = new TrainingData(all, all.withSequences("holdout files", holdout), report);
        }
        // Checked before training: a gate on a few sequences decides by noise, so the run stops
        // before spending the training time.
        if (data.holdout().size() < config.minHoldout()) {
            throw new NotEnoughData(
                    data.holdout().size()
                            + " held-out sequences ("
                            + (holdoutFiles.isEmpty()
                                    ? "holdout.fraction " + config.holdoutFraction()
                                    : "holdout.files")
                            + "), gate.min-holdout is "
                            + config.minHoldout(),
                    report,
                    data.holdout().size());
        }
        return data;
    }

    /** Too few usable or held-out sequences to train and compare; the run publishes nothing. */
    static final class NotEnoughData extends Exception {
        private static final long serialVersionUID = 1L;
        final transient DataReport report;

        /** Held-out sequences, null when the data was refused before the split. */
        final Integer holdout;

        NotEnoughData(String reason, DataReport report, Integer holdout) {
            super(reason, null, false, false);
            this.report = report;
            this.holdout = holdout;
        }
    }

    private record Shape(InputKind kind, int dimension) {}

    private static Shape shape(List<AssembledSequence> fromTopic, List<Dataset> files) {
        for (Dataset file : files) {
            return new Shape(file.inputKind(), file.featureDimension());
        }
        for (AssembledSequence s : fromTopic) {
            if (s.problem() == null) {
                return s.features() != null
                        ? new Shape(InputKind.FEATURES, s.features()[0].length)
                        : new Shape(InputKind.TOKENS, 0);
            }
        }
        return new Shape(InputKind.FEATURES, 0);
    }

    /** Null if the sequence fits, else {@code reason: detail}. */
    private static String misfit(
            AssembledSequence s, List<String> labels, InputKind kind, int dimension) {
        if (!labels.contains(s.label())) {
            return "unknown-label: label '" + s.label() + "' is not one of " + labels;
        }
        if ((s.features() != null) != (kind == InputKind.FEATURES)) {
            return "wrong-input-kind: the model takes " + kind + " input";
        }
        if (s.features() != null && s.features()[0].length != dimension) {
            return "wrong-dimension: "
                    + s.features()[0].length
                    + " features per event, the model takes "
                    + dimension;
        }
        return null;
    }

    private static Dataset checkFile(
            Dataset file, Path path, List<String> labels, InputKind kind, int dimension) {
        if (file.inputKind() != kind
                || (kind == InputKind.FEATURES && file.featureDimension() != dimension)) {
            throw new RetrainException(
                    path
                            + ": holds "
                            + file.inputKind()
                            + " data of dimension "
                            + file.featureDimension()
                            + ", the model takes "
                            + kind
                            + (kind == InputKind.FEATURES ? " of dimension " + dimension : ""));
        }
        if (!labels.containsAll(file.labels())) {
            throw new RetrainException(
                    path
                            + ": labels "
                            + file.labels()
                            + " are not all among the model's "
                            + labels);
        }
        return new Dataset(file.name(), file.sequences(), labels, kind, dimension);
    }

    private static List<Dataset> read(List<Path> paths) throws IOException {
        List<Dataset> datasets = new ArrayList<>();
        for (Path path : paths) {
            datasets.add(DataFormat.detect(path).read(path));
        }
        return datasets;
    }

    private static String describe(AssembledSequence s) {
        return s.key() == null
                ? s.where()
                : "key "
                        + s.key()
                        + (s.sequenceId() == null ? "" : " seq " + s.sequenceId())
                        + " at "
                        + s.where();
    }
}

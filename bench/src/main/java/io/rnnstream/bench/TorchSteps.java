package io.rnnstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** PyTorch's per-event step (issue 7, item 1f), run by {@code torch_step.py}, one thread. */
final class TorchSteps {

    private TorchSteps() {}

    static JsonNode run(List<StepSuite.Shape> shapes, boolean quick, Path work, Path log)
            throws IOException, InterruptedException {
        Path script = Processes.script("torch_step.py", work);
        Processes.script("torch_common.py", work);
        String configs = shapes.stream().map(StepSuite.Shape::key).collect(Collectors.joining(","));
        return Processes.runForJson(
                List.of(
                        Processes.python(),
                        script.toString(),
                        "--configs",
                        configs,
                        "--batch",
                        "" + StepBenchmark.BATCH,
                        "--steps",
                        quick ? "300" : "3000",
                        "--repeats",
                        quick ? "3" : "9"),
                Map.of(),
                log);
    }

    static JsonNode find(JsonNode torch, StepSuite.Shape shape) {
        for (JsonNode result : torch.get("results")) {
            if (result.get("cell").asText().equals(shape.cell().name())
                    && result.get("hidden").asInt() == shape.hidden()
                    && result.get("input").asInt() == shape.input()) {
                return result;
            }
        }
        throw new IllegalStateException("PyTorch returned no result for " + shape.key());
    }
}

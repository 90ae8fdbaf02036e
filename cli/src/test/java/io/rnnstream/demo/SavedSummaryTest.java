package io.rnnstream.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.demo.report.HtmlReport;
import io.rnnstream.demo.report.ReportFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's summary.json read back: the same report, or a clear refusal. */
class SavedSummaryTest {

    @TempDir Path dir;

    @Test
    void aSummaryReadBackDrawsTheSameReport() throws Exception {
        Path file = dir.resolve("summary.json");
        SavedSummary.write(ReportFixture.summary(), file);

        DemoSummary read = SavedSummary.read(file);

        HtmlReport.write(ReportFixture.summary(), dir.resolve("direct.html"));
        HtmlReport.write(read, dir.resolve("read.html"));
        assertThat(Files.readString(dir.resolve("read.html")))
                .isEqualTo(Files.readString(dir.resolve("direct.html")));
        assertThat(read.text()).isEqualTo(ReportFixture.summary().text());
    }

    @Test
    void theLanguageModelPartIsReadBackWithItsPredictionsAndCells() throws Exception {
        Path file = dir.resolve("summary.json");
        DemoSummary.LanguageModelRun written = ReportFixture.summary().languageModel();
        SavedSummary.write(ReportFixture.summary(), file);

        DemoSummary.LanguageModelRun read = SavedSummary.read(file).languageModel();

        assertThat(read.events()).isEqualTo(written.events());
        assertThat(read.cells().text()).isEqualTo(written.cells().text());
        assertThat(read.cells().properties()).isEqualTo(written.cells().properties());
        assertThat(read.cells().panels().get(0).values())
                .containsExactly(written.cells().panels().get(0).values());
        assertThat(read.agrees()).isTrue();
    }

    @Test
    void aSummaryWrittenBeforeTheLanguageModelPartDrawsItsReportWithoutIt() throws Exception {
        Path file = dir.resolve("summary.json");
        SavedSummary.write(ReportFixture.summary(), file);
        ObjectMapper json = new ObjectMapper();
        ObjectNode tree = (ObjectNode) json.readTree(file.toFile());
        tree.remove("languageModel");
        json.writeValue(file.toFile(), tree);

        DemoSummary read = SavedSummary.read(file);

        assertThat(read.languageModel()).isNull();
        HtmlReport.write(read, dir.resolve("report.html"));
        assertThat(Files.readString(dir.resolve("report.html")))
                .contains("This run had no language-model part.");
    }

    @Test
    void aSummaryFromAnEarlierReleaseIsRefusedNamingWhatItLacks() {
        // The committed full run predates the fields the report draws.
        Path earlier = Path.of("..", "bench", "results", "demo-full.json");

        assertThatThrownBy(() -> SavedSummary.read(earlier))
                .isInstanceOf(DemoException.class)
                .hasMessageContaining("lacks latencies, deadLetterRecords, swaps")
                .hasMessageContaining("useCases[].confusionByVersion")
                .hasMessageContaining("run the demo again");
    }

    @Test
    void aFileThatIsNotJsonIsRefusedWithItsName() throws Exception {
        Path file = dir.resolve("summary.json");
        Files.writeString(file, "rnnstream demo summary (quick mode, 60 s)");

        assertThatThrownBy(() -> SavedSummary.read(file))
                .isInstanceOf(DemoException.class)
                .hasMessageStartingWith(file + ": not JSON: ");
    }

    @Test
    void aMissingSummaryIsNamed() {
        Path missing = dir.resolve("nothing-here/summary.json");

        assertThatThrownBy(() -> SavedSummary.read(missing))
                .isInstanceOf(DemoException.class)
                .hasMessage(missing + ": no such file (a demo run's summary.json)");
    }
}

package io.rnnstream.stream;

import io.rnnstream.testkit.SettingsReferenceFile;
import org.junit.jupiter.api.Test;

/** The committed settings reference is what the stream job's options generate. */
class SettingsReferenceTest {

    @Test
    void docsSettingsStreamIsGeneratedFromTheOptions() throws Exception {
        SettingsReferenceFile.assertUpToDate(
                "docs/settings-stream.md", StreamJobConfig.reference());
    }
}

package io.rnnstream.retrain;

import io.rnnstream.testkit.SettingsReferenceFile;
import org.junit.jupiter.api.Test;

/** The committed settings reference is what the retraining job's options generate. */
class SettingsReferenceTest {

    @Test
    void docsSettingsRetrainIsGeneratedFromTheOptions() throws Exception {
        SettingsReferenceFile.assertUpToDate("docs/settings-retrain.md", RetrainConfig.reference());
    }
}

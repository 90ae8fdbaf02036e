package io.rnnstream.retrain;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import io.rnnstream.testkit.ArchitectureRules;

/**
 * The retraining job speaks the stream's contracts (events, announcements, settings) and nothing
 * else of it, and, although it trains with DL4J, never deserializes Java objects.
 */
@AnalyzeClasses(packages = "io.rnnstream", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest static final ArchTests shared = ArchTests.in(ArchitectureRules.class);

    @ArchTest
    static final ArchRule theRetrainingJobUsesOnlyTheContractsOfTheStream =
            noClasses()
                    .that()
                    .resideInAPackage("io.rnnstream.retrain..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "io.rnnstream.stream",
                            "io.rnnstream.stream.ingest..",
                            "io.rnnstream.stream.classify..",
                            "io.rnnstream.stream.sink..",
                            "io.rnnstream.cli..",
                            "io.rnnstream.demo..",
                            "io.rnnstream.testkit..");
}

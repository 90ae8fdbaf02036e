package io.rnnstream.stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import io.rnnstream.testkit.ArchitectureRules;

/**
 * The streaming job serves in plain Java: it must never need DL4J or ND4J at run time, and nothing
 * deserializes Java objects. Its packages follow the pipeline (ingest, classify, sink, wired by the
 * job) on top of the contracts it shares with the retraining job.
 */
@AnalyzeClasses(packages = "io.rnnstream", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest static final ArchTests shared = ArchTests.in(ArchitectureRules.class);

    @ArchTest
    static final ArchRule theStreamingJobDoesNotDependOnDl4jOrNd4j =
            noClasses()
                    .that()
                    .resideInAPackage("io.rnnstream.stream..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "org.deeplearning4j..", "org.nd4j..", "io.rnnstream.core.train..");

    @ArchTest
    static final ArchRule theServingPathOfModelCoreDoesNotDependOnDl4jOrNd4j =
            noClasses()
                    .that()
                    .resideInAnyPackage(
                            "io.rnnstream.core.serving..",
                            "io.rnnstream.core.artifact..",
                            "io.rnnstream.core.text..",
                            "io.rnnstream.core.model..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage("org.deeplearning4j..", "org.nd4j..");

    /**
     * Events flow kafka -> ingest -> classify (-> evaluate) -> sink; only the job wires the stages,
     * and the contracts, which the retraining job reads too, know nothing of them.
     */
    @ArchTest
    static final ArchRule thePipelineStagesDependOnlyDownwardAndOnTheContracts =
            layeredArchitecture()
                    .consideringOnlyDependenciesInLayers()
                    .layer("Job")
                    .definedBy("io.rnnstream.stream")
                    .layer("Ingest")
                    .definedBy("io.rnnstream.stream.ingest..")
                    .layer("Classify")
                    .definedBy("io.rnnstream.stream.classify..")
                    .layer("Evaluate")
                    .definedBy("io.rnnstream.stream.evaluate..")
                    .layer("Sink")
                    .definedBy("io.rnnstream.stream.sink..")
                    .layer("Contracts")
                    .definedBy(
                            "io.rnnstream.stream.event..",
                            "io.rnnstream.stream.model..",
                            "io.rnnstream.stream.kafka..",
                            "io.rnnstream.stream.config..")
                    .whereLayer("Job")
                    .mayNotBeAccessedByAnyLayer()
                    .whereLayer("Ingest")
                    .mayOnlyBeAccessedByLayers("Job")
                    .whereLayer("Classify")
                    .mayOnlyBeAccessedByLayers("Job", "Evaluate", "Sink")
                    .whereLayer("Evaluate")
                    .mayOnlyBeAccessedByLayers("Job", "Sink")
                    .whereLayer("Sink")
                    .mayOnlyBeAccessedByLayers("Job")
                    .whereLayer("Contracts")
                    .mayOnlyBeAccessedByLayers("Job", "Ingest", "Classify", "Evaluate", "Sink");
}

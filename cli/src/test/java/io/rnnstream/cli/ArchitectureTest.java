package io.rnnstream.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import io.rnnstream.testkit.ArchitectureRules;

/**
 * The command line sees every module: here the rules hold for all of them together. The commands
 * talk to real brokers with the contracts' Kafka clients; only the demo runs the test kit's
 * in-process broker.
 */
@AnalyzeClasses(packages = "io.rnnstream", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest static final ArchTests shared = ArchTests.in(ArchitectureRules.class);

    @ArchTest
    static final ArchRule onlyTheDemoUsesTheTestKit =
            noClasses()
                    .that()
                    .resideOutsideOfPackages("io.rnnstream.demo..", "io.rnnstream.testkit..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("io.rnnstream.testkit..");

    @ArchTest
    static final ArchRule theJobsDoNotDependOnTheCommandLine =
            noClasses()
                    .that()
                    .resideInAnyPackage("io.rnnstream.stream..", "io.rnnstream.retrain..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage("io.rnnstream.cli..", "io.rnnstream.demo..");
}

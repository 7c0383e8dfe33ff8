package dev.sluice.api;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The directions between Sluice's modules, checked over every module on the API's classpath: the
 * model, ports and workflows know no module outside them; the ledger knows no adapter; the
 * activities know neither worker nor API; and the API's use cases reach the ledger, the judge and
 * the provider registry, never an adapter's package. Only the composition root ({@code
 * SluiceApplication}, its configuration and the {@code cli} commands) wires concrete adapters.
 */
@AnalyzeClasses(packages = "dev.sluice", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  /** The adapter packages of the activities module: what implements a port against a real part. */
  static final DescribedPredicate<JavaClass> ADAPTERS =
      resideInAnyPackage(
              "dev.sluice.activities.traffic..",
              "dev.sluice.activities.deploy..",
              "dev.sluice.activities.metrics..",
              "dev.sluice.activities.health..",
              "dev.sluice.activities.notify..",
              "dev.sluice.activities.ledger..",
              "dev.sluice.activities.flags..",
              "dev.sluice.activities.dualwrite..")
          .as("reside in an adapter package of activities");

  @ArchTest
  static final ArchRule theCoreKnowsNoOuterModule =
      noClasses()
          .that()
          .resideInAnyPackage(
              "dev.sluice.model..",
              "dev.sluice.ports..",
              "dev.sluice.workflows..",
              "dev.sluice.judge..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.sluice.activities..",
              "dev.sluice.ledger..",
              "dev.sluice.worker..",
              "dev.sluice.api..")
          .because("workflows and the judge are replayed and tested without any real part");

  @ArchTest
  static final ArchRule theLedgerKnowsNoAdapter =
      noClasses()
          .that()
          .resideInAPackage("dev.sluice.ledger..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.sluice.activities..", "dev.sluice.worker..", "dev.sluice.api..")
          .because("the ledger is the system of record, below the adapters that write to it");

  @ArchTest
  static final ArchRule activitiesKnowNeitherWorkerNorApi =
      noClasses()
          .that()
          .resideInAPackage("dev.sluice.activities..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.sluice.worker..", "dev.sluice.api..")
          .because("the worker hosts the activities and the API drives them, not the reverse");

  @ArchTest
  static final ArchRule theWorkerKnowsNoApi =
      noClasses()
          .that()
          .resideInAPackage("dev.sluice.worker..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.sluice.api..")
          .because("a worker runs without the API (sluice worker)");

  @ArchTest
  static final ArchRule apiUseCasesReachNoAdapter =
      noClasses()
          .that()
          .resideInAPackage("dev.sluice.api..")
          .and()
          .resideOutsideOfPackages("dev.sluice.api", "dev.sluice.api.cli..")
          .should()
          .dependOnClassesThat(ADAPTERS)
          .because(
              "resources and use cases ask the ledger, the judge and the provider registry;"
                  + " which adapter serves a service is the registry's business");
}

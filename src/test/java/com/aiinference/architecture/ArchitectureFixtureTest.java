package com.aiinference.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aiinference.chart.archfixture.ChartThatKnowsTheConfig;
import com.aiinference.loadtest.archfixture.LoadTestThatKnowsVerify;
import com.aiinference.loadtest.engine.archfixture.EngineThatWritesAReport;
import com.aiinference.plan.archfixture.PlanThatRunsOtherCommands;
import com.aiinference.report.archfixture.ReportThatCallsTheEngineBack;
import com.aiinference.signals.archfixture.SignalsThatJudgeAVerification;
import com.aiinference.stack.archfixture.StackThatKnowsTheCli;
import com.aiinference.status.archfixture.StatusThatRunsALoad;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/**
 * The rules of {@link Layers} are not vacuous: each one fails on a fixture class (test sources only) that adds the
 * dependency it forbids, and names the offending dependency.
 */
class ArchitectureFixtureTest {
    private static final JavaClasses FIXTURES = new ClassFileImporter().importClasses(StackThatKnowsTheCli.class,
            LoadTestThatKnowsVerify.class, PlanThatRunsOtherCommands.class, PlanThatRunsOtherCommands.PlanBroke.class,
            ChartThatKnowsTheConfig.class, EngineThatWritesAReport.class, ReportThatCallsTheEngineBack.class,
            StatusThatRunsALoad.class, SignalsThatJudgeAVerification.class);

    private static String violations(ArchRule rule) {
        EvaluationResult result = rule.evaluate(FIXTURES);
        assertThat(result.hasViolation()).as("%s must catch its fixture", rule.getDescription()).isTrue();
        return String.join("\n", result.getFailureReport().getDetails());
    }

    @Test
    void theStackReachingForAnExitCodeIsCaught() {
        assertThat(violations(Layers.PROGRAM_KNOWS_NO_CLI))
                .contains("StackThatKnowsTheCli").contains("com.aiinference.cli.ExitCodes");
        assertThatThrownBy(() -> Layers.PROGRAM_KNOWS_NO_CLI.check(FIXTURES))
                .isInstanceOf(AssertionError.class).hasMessageContaining("StackThatKnowsTheCli");
    }

    @Test
    void theChartReachingForTheConfigIsCaught() {
        assertThat(violations(Layers.CHART_STANDS_ON_CORE))
                .contains("ChartThatKnowsTheConfig").contains("com.aiinference.config.Settings");
    }

    @Test
    void theLoadTestReachingIntoVerifyIsCaught() {
        assertThat(violations(Layers.LOADTEST_KNOWS_NO_VERIFY))
                .contains("LoadTestThatKnowsVerify").contains("com.aiinference.verify.Moment");
    }

    @Test
    void domainCodeThrowingACliExceptionIsCaught() {
        assertThat(violations(Layers.EXIT_CODES_ONLY_IN_CLI))
                .contains("LoadTestThatKnowsVerify").contains("com.aiinference.cli.CliException")
                .contains("StackThatKnowsTheCli").contains("com.aiinference.cli.ExitCodes");
    }

    @Test
    void aCommandUsedOutsideTheRootIsCaught() {
        assertThat(violations(Layers.COMMANDS_ONLY_FROM_ROOT))
                .contains("PlanThatRunsOtherCommands").contains("com.aiinference.loadtest.LoadTestCommand");
    }

    @Test
    void theSimulatorOnAProductionPathIsCaught() {
        assertThat(violations(Layers.SIMULATE_ONLY_FROM_ROOT))
                .contains("PlanThatRunsOtherCommands").contains("com.aiinference.simulate.SimulatedEngine");
    }

    @Test
    void anExceptionOutsideTheDomainFamilyIsCaught() {
        assertThat(violations(Layers.DOMAIN_ERRORS_ARE_DOMAIN_EXCEPTIONS)).contains("PlanBroke");
    }

    @Test
    void theEngineWritingAReportIsCaught() {
        assertThat(violations(Layers.ENGINE_KNOWS_NO_COMMANDS))
                .contains("EngineThatWritesAReport").contains("com.aiinference.report.ReportFiles");
    }

    @Test
    void aLoopBetweenPackagesIsCaught() {
        assertThat(violations(Layers.NO_PACKAGE_CYCLES))
                .contains("EngineThatWritesAReport").contains("ReportThatCallsTheEngineBack");
    }

    @Test
    void statusRunningALoadIsCaught() {
        assertThat(violations(Layers.STATUS_KNOWS_NO_LOAD))
                .contains("StatusThatRunsALoad").contains("com.aiinference.loadtest.engine.LoadShape");
    }

    @Test
    void signalsReachingIntoVerifyAreCaught() {
        assertThat(violations(Layers.SIGNALS_READ_THROUGH_KUBE))
                .contains("SignalsThatJudgeAVerification").contains("com.aiinference.verify.Moment");
    }
}

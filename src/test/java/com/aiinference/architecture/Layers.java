package com.aiinference.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.aiinference.Main;
import com.aiinference.cli.CliException;
import com.aiinference.cli.ExitCodes;
import com.aiinference.core.DomainException;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.List;
import picocli.CommandLine;

/**
 * The layers of the project as rules the build checks ({@link ArchitectureTest}). Each rule says in its
 * description what it protects; {@link ArchitectureFixtureTest} shows each one failing on a class that breaks it.
 */
final class Layers {
    static final String ROOT = "com.aiinference";
    static final String CLI = ROOT + ".cli..";
    static final String CORE = ROOT + ".core..";
    static final String CONFIG = ROOT + ".config..";
    static final String STACK = ROOT + ".stack..";
    static final String CHART = ROOT + ".chart..";
    static final String PLAN = ROOT + ".plan..";
    static final String LOADTEST = ROOT + ".loadtest..";
    static final String VERIFY = ROOT + ".verify..";
    static final String SIMULATE = ROOT + ".simulate..";
    static final String IO = ROOT + ".io..";
    static final String KUBE = ROOT + ".kube..";
    static final String REPORT = ROOT + ".report..";
    static final String STATUS = ROOT + ".status..";
    static final String PREFLIGHT = ROOT + ".preflight..";
    static final String SIGNALS = ROOT + ".signals..";
    /** The load test's command room only: its commands, options and target resolution. */
    static final String LOADTEST_COMMANDS = ROOT + ".loadtest";
    static final String ENGINE = ROOT + ".loadtest.engine..";
    static final String SWEEP = ROOT + ".loadtest.sweep..";
    static final String COMPARE = ROOT + ".loadtest.compare..";
    static final String WORKERS = ROOT + ".loadtest.distributed..";

    private Layers() {}

    /** The Pulumi program and the facts it is built from know nothing of the command line. */
    static final ArchRule PROGRAM_KNOWS_NO_CLI = noClasses()
            .that().resideInAnyPackage(STACK, CONFIG, CHART, CORE)
            .or().haveFullyQualifiedName(ROOT + ".App")
            .should().dependOnClassesThat().resideInAnyPackage(CLI, "picocli..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName(ROOT + ".Main")
            .because("stack, config and chart are the Pulumi program's; `pulumi up` runs them without any command line");

    /** Nor of the commands built on them. */
    static final ArchRule PROGRAM_KNOWS_NO_COMMANDS = noClasses()
            .that().resideInAnyPackage(STACK, CONFIG, CHART, CORE)
            .should().dependOnClassesThat().resideInAnyPackage(PLAN, LOADTEST, VERIFY, SIMULATE, STATUS, REPORT, PREFLIGHT)
            .because("plan, loadtest, verify and simulate use the program, never the other way round");

    /** The shared core is plain Java: the check model, the error family, how figures and quoted values are written. */
    static final ArchRule CORE_STANDS_ALONE = classes()
            .that().resideInAPackage(CORE)
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", CORE)
            .because("every layer may use core, so core may use no layer and no library");

    /** What touches the outside world (files the user names, the console, Netty's transport) stands on core alone. */
    static final ArchRule IO_STANDS_ON_CORE = classes()
            .that().resideInAPackage(IO)
            .should().onlyDependOnClassesThat().resideOutsideOfPackage(ROOT + "..")
            .orShould().dependOnClassesThat().resideInAnyPackage(IO, CORE)
            .because("io is shared by the engine, the simulator, kube and the CLI");

    /** The Kubernetes access stands on core and io: status, verify, loadtest and simulate share it. */
    static final ArchRule KUBE_STANDS_ON_IO = classes()
            .that().resideInAPackage(KUBE)
            .should().onlyDependOnClassesThat().resideOutsideOfPackage(ROOT + "..")
            .orShould().dependOnClassesThat().resideInAnyPackage(KUBE, IO, CORE)
            .because("kube is how every command reads the cluster; it knows none of them");

    /**
     * The chart and its contract ({@code ChartContract}: container names, ports, labels, engine values) depend on
     * nothing of the project but core, so every layer, the stack's config included, can take the chart's names from
     * it without a cycle.
     */
    static final ArchRule CHART_STANDS_ON_CORE = classes()
            .that().resideInAPackage(CHART)
            .should().onlyDependOnClassesThat().resideOutsideOfPackage(ROOT + "..")
            .orShould().dependOnClassesThat().resideInAnyPackage(CHART, CORE)
            .because("the chart's names are imported by config, stack, plan, verify, loadtest and simulate");

    /** The load test stands on its own: verify uses it, it does not know verify. */
    static final ArchRule LOADTEST_KNOWS_NO_VERIFY = noClasses()
            .that().resideInAPackage(LOADTEST)
            .should().dependOnClassesThat().resideInAnyPackage(VERIFY, STATUS, PLAN, SIMULATE, PREFLIGHT)
            .because("loadtest runs against any endpoint; verify builds on it");

    /**
     * The engine (connections, framing, recorders, the run) knows no command line and no report: the commands,
     * the workers, sweep and verify drive it, the report package reads what it returns.
     */
    static final ArchRule ENGINE_KNOWS_NO_COMMANDS = noClasses()
            .that().resideInAPackage(ENGINE)
            .should().dependOnClassesThat().resideInAnyPackage(CLI, "picocli..", REPORT, LOADTEST_COMMANDS, SWEEP,
                    COMPARE, WORKERS, KUBE)
            .because("one engine runs in the CLI, in worker processes and in in-cluster Jobs alike");

    /** One report model reads the engine's results; it knows no command that writes it. */
    static final ArchRule REPORT_READS_THE_ENGINE = classes()
            .that().resideInAPackage(REPORT)
            .should().onlyDependOnClassesThat().resideOutsideOfPackage(ROOT + "..")
            .orShould().dependOnClassesThat().resideInAnyPackage(REPORT, ENGINE, IO, CORE)
            .because("loadtest, sweep, compare and verify all write through report; it depends on none of them");

    /** Sweep, compare and the workers build on the engine and the report, not on the command room that uses them. */
    static final ArchRule LOADTEST_ROOMS_KNOW_NO_COMMAND_ROOM = noClasses()
            .that().resideInAnyPackage(SWEEP, COMPARE, WORKERS)
            .should().dependOnClassesThat().resideInAPackage(LOADTEST_COMMANDS)
            .because("the loadtest package holds the commands and options; the rooms below it are used by them");

    /** Status reads the platform through kube; it runs no load and writes no verification. */
    static final ArchRule STATUS_KNOWS_NO_LOAD = noClasses()
            .that().resideInAPackage(STATUS)
            .should().dependOnClassesThat().resideInAnyPackage(LOADTEST, REPORT, VERIFY, SIMULATE, PLAN)
            .because("verify builds on status (its snapshot and wait), never the other way round");

    /** The servers' signals are read through kube into the report model; no command, load or verification in them. */
    static final ArchRule SIGNALS_READ_THROUGH_KUBE = noClasses()
            .that().resideInAPackage(SIGNALS)
            .should().dependOnClassesThat().resideInAnyPackage(LOADTEST, VERIFY, STATUS, SIMULATE, PLAN, CLI, "picocli..")
            .because("loadtest, sweep and verify start the sampler; it only reads the cluster and fills the report model");

    /**
     * The simulator stands in for the platform; it takes the platform's names from chart and kube, not from the
     * commands that read the platform (status, verify).
     */
    static final ArchRule SIMULATE_KNOWS_NO_VERIFY = noClasses()
            .that().resideInAPackage(SIMULATE)
            .should().dependOnClassesThat().resideInAnyPackage(VERIFY, STATUS, PLAN)
            .because("what verify checks must come from the chart, not from the simulator that fakes it");

    /** No two packages depend on each other, directly or round a loop. */
    static final ArchRule NO_PACKAGE_CYCLES = slices().matching(ROOT + ".(**)").should().beFreeOfCycles()
            .because("a package that depends on one that depends back cannot be understood or moved alone");

    /** The simulator is for trying things offline: no production command path reaches it. */
    static final ArchRule SIMULATE_ONLY_FROM_ROOT = noClasses()
            .that().resideOutsideOfPackage(SIMULATE)
            .and().doNotBelongToAnyOf(Main.class)
            .should().dependOnClassesThat().resideInAPackage(SIMULATE)
            .because("only the CLI root registers the simulate command; plan, loadtest and verify never run a fake");

    /** Only the CLI root knows every command: a command is used by its own package and by {@link Main}. */
    static final ArchRule COMMANDS_ONLY_FROM_ROOT = classes()
            .that().resideInAPackage(ROOT + "..")
            .and().doNotBelongToAnyOf(Main.class)
            .should(new ArchCondition<JavaClass>("use no command of another package") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                    for (Dependency d : c.getDirectDependenciesFromSelf()) {
                        JavaClass target = d.getTargetClass();
                        if (target.isAnnotatedWith(CommandLine.Command.class)
                                && !target.getPackageName().equals(c.getPackageName())) {
                            events.add(SimpleConditionEvent.violated(c, d.getDescription()));
                        }
                    }
                }
            })
            .because("the CLI root (com.aiinference.Main) is the one place that knows every command");

    /**
     * Exit codes belong to the command line: outside the cli package and the root, only classes that are part of a
     * command (picocli commands and their option classes) use {@link CliException} or {@link ExitCodes}; domain code
     * throws a {@link DomainException} and the CLI maps it.
     */
    static final ArchRule EXIT_CODES_ONLY_IN_CLI = noClasses()
            .that().resideOutsideOfPackage(CLI)
            .and().doNotBelongToAnyOf(Main.class)
            .and(not(partOfACommand()))
            .should().dependOnClassesThat().belongToAnyOf(CliException.class, ExitCodes.class)
            .because("domain code throws domain exceptions; only the CLI maps them to exit codes");

    /** Domain errors are one family, mapped in one place. */
    static final ArchRule DOMAIN_ERRORS_ARE_DOMAIN_EXCEPTIONS = classes()
            .that().resideInAPackage(ROOT + "..")
            .and().resideOutsideOfPackage(CLI)
            .and().areAssignableTo(RuntimeException.class)
            .should().beAssignableTo(DomainException.class)
            .because("cli.ExitCodes maps DomainException to exit 2; any other exception is reported as an internal error");

    static final List<ArchRule> ALL = List.of(PROGRAM_KNOWS_NO_CLI, PROGRAM_KNOWS_NO_COMMANDS, CORE_STANDS_ALONE,
            IO_STANDS_ON_CORE, KUBE_STANDS_ON_IO, CHART_STANDS_ON_CORE,
            LOADTEST_KNOWS_NO_VERIFY, ENGINE_KNOWS_NO_COMMANDS, REPORT_READS_THE_ENGINE,
            LOADTEST_ROOMS_KNOW_NO_COMMAND_ROOM, STATUS_KNOWS_NO_LOAD, SIGNALS_READ_THROUGH_KUBE, SIMULATE_KNOWS_NO_VERIFY, NO_PACKAGE_CYCLES, SIMULATE_ONLY_FROM_ROOT, COMMANDS_ONLY_FROM_ROOT, EXIT_CODES_ONLY_IN_CLI,
            DOMAIN_ERRORS_ARE_DOMAIN_EXCEPTIONS);

    /** A picocli command, or a class whose fields are picocli options (a mixin or an argument group). */
    static DescribedPredicate<JavaClass> partOfACommand() {
        return DescribedPredicate.describe("part of a picocli command", c -> c.isAnnotatedWith(CommandLine.Command.class)
                || c.getAllFields().stream().anyMatch(f -> f.isAnnotatedWith(CommandLine.Option.class)
                        || f.isAnnotatedWith(CommandLine.Parameters.class) || f.isAnnotatedWith(CommandLine.Mixin.class)
                        || f.isAnnotatedWith(CommandLine.ArgGroup.class))
                || (c.getEnclosingClass().isPresent() && c.getEnclosingClass().get().isAnnotatedWith(CommandLine.Command.class)));
    }

    private static <T> DescribedPredicate<T> not(DescribedPredicate<T> p) {
        return DescribedPredicate.not(p);
    }
}

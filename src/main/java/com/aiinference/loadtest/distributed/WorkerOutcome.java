package com.aiinference.loadtest.distributed;

import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.LoadTestResult;
import com.aiinference.loadtest.engine.RunSnapshot;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one worker gave back: its measurements, or why there are none (it died, was killed, never started, or its
 * log holds no result line).
 *
 * @param index   0-based
 * @param workers how many workers ran
 * @param result  its measurements, when it finished
 * @param failure why it has none, else null
 */
public record WorkerOutcome(int index, int workers, Optional<RunSnapshot> result, String failure) {

    public static WorkerOutcome finished(int index, int workers, RunSnapshot m) {
        return new WorkerOutcome(index, workers, Optional.of(m), null);
    }

    public static WorkerOutcome failed(int index, int workers, String why) {
        return new WorkerOutcome(index, workers, Optional.empty(), why);
    }

    /** {@code worker 2/4}. */
    public String label() {
        return label(index, workers);
    }

    static String label(int index, int workers) {
        return "worker " + (index + 1) + "/" + workers;
    }

    /**
     * Every finished worker's measurements merged into one result ({@link RunSnapshot#merge}), with one warning per
     * worker that gave nothing; empty when no worker finished.
     */
    public static Optional<LoadTestResult> merge(List<WorkerOutcome> outcomes, LoadTestConfig whole, URI target) {
        return merge(outcomes, whole, target, null);
    }

    /**
     * The same; {@code userStop} (e.g. {@code Ctrl-C}), when not null, marks the merged run as stopped by the user,
     * whatever each worker said about its own stop (a signal, the coordinator's word), and each worker that gave
     * nothing is named as lost.
     */
    public static Optional<LoadTestResult> merge(List<WorkerOutcome> outcomes, LoadTestConfig whole, URI target,
                                                 String userStop) {
        List<RunSnapshot> finished = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        for (WorkerOutcome o : outcomes) {
            o.result.ifPresent(m -> {
                finished.add(m);
                indexes.add(o.index);
            });
        }
        if (finished.isEmpty()) {
            return Optional.empty();
        }
        int workers = outcomes.get(0).workers;
        LoadTestResult result = RunSnapshot.merge(finished, i -> label(indexes.get(i), workers)).toResult(whole, target);
        if (userStop != null) {
            result = result.withUserStop(userStop);
        }
        for (WorkerOutcome o : outcomes) {
            if (o.failure != null) {
                result = result.withWarning(o.label() + " gave no result, its requests are not in this report: " + o.failure);
            }
        }
        return Optional.of(result);
    }

    /** One line for the failed workers, e.g. {@code 1 of 4 workers failed: worker 3/4 died (exit 137)}, or null. */
    public static String failureLine(List<WorkerOutcome> outcomes) {
        List<String> failed = outcomes.stream().filter(o -> o.failure != null).map(o -> o.label() + " " + o.failure).toList();
        if (failed.isEmpty()) {
            return null;
        }
        return failed.size() + " of " + outcomes.size() + " workers failed: " + String.join("; ", failed);
    }
}

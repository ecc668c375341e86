package com.aiinference.signals.archfixture;

import com.aiinference.verify.Moment;

/** Breaks the layers on purpose (test sources only): the signal sampler reaching into verify. */
public final class SignalsThatJudgeAVerification {
    private SignalsThatJudgeAVerification() {}

    public static String stage() {
        return Moment.AFTER.name();
    }
}

package com.aiinference.loadtest.engine;

import com.aiinference.core.Format;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How load is offered: a closed loop of N users (each sends its next request when its previous one ends, started
 * evenly over a ramp-up) or an open loop at R requests per second (Poisson arrivals; latency counts from each
 * scheduled send time). Every report describes the load through {@link #describe()}; JSON writes it as
 * {@code {"mode": "closed_loop", "users": 50, "ramp_up_s": 0.0}} or {@code {"mode": "open_loop", "rate": 2.5}}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "mode")
@JsonSubTypes({@JsonSubTypes.Type(LoadShape.ClosedLoop.class), @JsonSubTypes.Type(LoadShape.OpenLoop.class)})
public sealed interface LoadShape permits LoadShape.ClosedLoop, LoadShape.OpenLoop {

    /** {@code 50 users}, {@code 2.5 req/s open loop}: how every report names the load. */
    String describe();

    /** {@code 50 users (closed loop, ramp-up 10s)}, {@code 2.5 req/s (open loop, Poisson arrivals)}. */
    String describeLong();

    /** Users started evenly over {@code rampUp}; each sends its next request when its previous one ends. */
    @JsonTypeName("closed_loop")
    record ClosedLoop(int users, @JsonIgnore Duration rampUp) implements LoadShape {
        public ClosedLoop {
            Objects.requireNonNull(rampUp, "rampUp");
            if (users < 1) {
                throw new IllegalArgumentException("--users must be at least 1, got " + users);
            }
            if (rampUp.isNegative()) {
                throw new IllegalArgumentException("--ramp-up must not be negative");
            }
        }

        /** From the JSON report's {@code users} and {@code ramp_up_s}. */
        @JsonCreator
        static ClosedLoop fromJson(@JsonProperty("users") int users, @JsonProperty("ramp_up_s") double rampUpS) {
            return new ClosedLoop(users, Duration.ofMillis(Math.round(rampUpS * 1000)));
        }

        /** The ramp-up in seconds, for the JSON report. */
        @JsonProperty("ramp_up_s")
        public double rampUpS() {
            return rampUp.toMillis() / 1000.0;
        }

        @Override
        public String describe() {
            return users + (users == 1 ? " user" : " users");
        }

        @Override
        public String describeLong() {
            return describe() + " (closed loop" + (rampUp.isZero() ? "" : ", ramp-up " + Format.duration(rampUp)) + ")";
        }
    }

    /** Poisson arrivals at {@code rate} requests per second. */
    @JsonTypeName("open_loop")
    record OpenLoop(double rate) implements LoadShape {
        public OpenLoop {
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new IllegalArgumentException("--rate must be more than 0 requests per second, got " + rate);
            }
        }

        @Override
        public String describe() {
            return rateText() + " req/s open loop";
        }

        @Override
        public String describeLong() {
            return rateText() + " req/s (open loop, Poisson arrivals)";
        }

        private String rateText() {
            return rate == Math.rint(rate) ? String.format(Locale.ROOT, "%.0f", rate) : String.valueOf(rate);
        }
    }
}

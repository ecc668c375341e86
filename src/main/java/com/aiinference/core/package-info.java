/**
 * The few types every layer shares and that depend on nothing else in the project: the one model of a
 * {@link com.aiinference.core.Check} and the base of domain errors, {@link com.aiinference.core.DomainException}.
 */
package com.aiinference.core;

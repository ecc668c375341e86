package com.aiinference.kube;

import com.aiinference.core.DomainException;

/** The kubeconfig is missing or unusable, or the Kubernetes API it names cannot be reached. */
public final class KubeAccessException extends DomainException {
    private static final long serialVersionUID = 1L;

    public KubeAccessException(String message) {
        super(message);
    }
}

package com.aiinference.status;

/**
 * What the platform should look like, from the stack's outputs or the command line. A null field is not checked.
 *
 * @param replicas    replicas the Deployment should run (and the HPA pin to)
 * @param model       the model each Ollama container should have loaded
 * @param memoryLimit the memory limit of every {@code ollama} container (a Kubernetes quantity, e.g. 40Gi)
 * @param dwsEnabled  whether a ProvisioningRequest (DWS queued provisioning) must be Provisioned
 * @param hpaPinned   whether the HPA must be pinned (min = max = current)
 */
public record Expectations(Integer replicas, String model, String memoryLimit, Boolean dwsEnabled, Boolean hpaPinned) {}

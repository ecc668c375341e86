package com.aiinference.plan;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import com.pulumi.Log;
import com.pulumi.resources.Resource;
import com.pulumi.test.Mocks;
import com.pulumi.test.internal.MockMonitor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import pulumirpc.Resource.ReadResourceRequest;
import pulumirpc.Resource.ReadResourceResponse;
import pulumirpc.Resource.RegisterResourceRequest;
import pulumirpc.Resource.RegisterResourceResponse;
import pulumirpc.Resource.ResourceInvokeRequest;
import pulumirpc.Resource.ResourceInvokeResponse;

/**
 * The mock engine's monitor, recording every register and read request as the SDK serialised it: type, name,
 * parent, provider reference, plugin version and the input struct. {@code Mocks} alone only sees type, name and
 * deserialised inputs, which hides parents, versions and secrets.
 */
final class RecordingMonitor extends MockMonitor {
    /** The SDK's marker for a secret value on the wire (Pulumi's "special signature" key and value). */
    private static final String SIG_KEY = "4dabf18193072939515e22adb298388d";
    private static final String SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
    public static final String SECRET_MASK = "[secret]";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<RegisteredResource> recorded = Collections.synchronizedList(new ArrayList<>());

    RecordingMonitor(Mocks mocks, Log log) {
        super(mocks, log);
    }

    private final List<RecordedInvoke> invokes = Collections.synchronizedList(new ArrayList<>());

    List<RecordedInvoke> invokes() {
        synchronized (invokes) {
            return List.copyOf(invokes);
        }
    }

    @Override
    public CompletableFuture<ResourceInvokeResponse> invokeAsync(ResourceInvokeRequest request) {
        return super.invokeAsync(request).thenApply(response -> {
            invokes.add(new RecordedInvoke(request.getTok(), providerUrn(request.getProvider()), request.getVersion(),
                    toMap(request.getArgs()), toMap(response.getReturn())));
            return response;
        });
    }

    List<RegisteredResource> recorded() {
        synchronized (recorded) {
            return List.copyOf(recorded);
        }
    }

    @Override
    public CompletableFuture<RegisterResourceResponse> registerResourceAsync(Resource resource, RegisterResourceRequest request) {
        return super.registerResourceAsync(resource, request).thenApply(response -> {
            recorded.add(new RegisteredResource(request.getType(), request.getName(), response.getUrn(),
                    request.getParent(), providerUrn(request.getProvider()), request.getVersion(),
                    toMap(request.getObject()), List.copyOf(request.getDependenciesList()), request.getCustom(), false,
                    List.copyOf(request.getIgnoreChangesList())));
            return response;
        });
    }

    @Override
    public CompletableFuture<ReadResourceResponse> readResourceAsync(Resource resource, ReadResourceRequest request) {
        return super.readResourceAsync(resource, request).thenApply(response -> {
            Map<String, Object> inputs = new LinkedHashMap<>();
            inputs.put("id", request.getId());
            inputs.putAll(toMap(request.getProperties()));
            recorded.add(new RegisteredResource(request.getType(), request.getName(), response.getUrn(),
                    request.getParent(), providerUrn(request.getProvider()), request.getVersion(), inputs,
                    List.copyOf(request.getDependenciesList()), true, true, List.of()));
            return response;
        });
    }

    /** A provider reference is {@code URN::ID}; the URN is what identifies the provider resource. */
    private static String providerUrn(String reference) {
        int sep = reference.lastIndexOf("::");
        return sep < 0 ? reference : reference.substring(0, sep);
    }

    static Map<String, Object> toMap(Struct struct) {
        try {
            String json = JsonFormat.printer().print(struct);
            Map<String, Object> map = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
            @SuppressWarnings("unchecked")
            Map<String, Object> cleaned = (Map<String, Object>) clean(map);
            return cleaned;
        } catch (InvalidProtocolBufferException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot read a registered struct: " + e.getMessage(), e);
        }
    }

    /** Masks secrets and turns protobuf's doubles back into integers where they are whole. */
    private static Object clean(Object value) {
        if (value instanceof Map<?, ?> m) {
            if (SECRET_SIG.equals(m.get(SIG_KEY))) {
                return SECRET_MASK;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put((String) k, clean(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(v -> out.add(clean(v)));
            return out;
        }
        if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return d.longValue() == d.intValue() ? (Object) d.intValue() : (Object) d.longValue();
        }
        return value;
    }
}

package com.aiinference.chart;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Optional;

/** What {@code helm template} produced: the manifest text and the objects parsed into typed models. */
public record RenderedChart(String manifest, List<HasMetadata> objects) {

    public RenderedChart {
        objects = List.copyOf(objects);
    }

    /** All objects of a typed model class (custom resources come as {@code GenericKubernetesResource}). */
    public <T extends HasMetadata> List<T> ofType(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** All objects of a kind, whatever their model class. */
    public List<HasMetadata> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
    }

    /** The single object of a typed model class, or empty; more than one is an error. */
    public <T extends HasMetadata> Optional<T> single(Class<T> type) {
        List<T> all = ofType(type);
        if (all.size() > 1) {
            throw new IllegalStateException("expected at most one " + type.getSimpleName() + ", rendered " + all.size());
        }
        return all.stream().findFirst();
    }
}

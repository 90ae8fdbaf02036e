package io.rnnstream.deploy.helm;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;

/**
 * A PodMonitor of the Prometheus Operator (monitoring.coreos.com/v1), reduced to the fields the
 * chart renders, named as in the operator's API reference: read strictly ({@link StrictManifests}),
 * a misspelt or misplaced field is an error. The Kubernetes model library has no monitoring types,
 * and the operator's CRD is not vendored here, so this is narrower than the API server's check.
 */
record PodMonitor(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

    /** Which pods, and how to scrape them. */
    record Spec(LabelSelector selector, List<Endpoint> podMetricsEndpoints) {}

    /** A named container port and the scrape's path and interval. */
    record Endpoint(String port, String path, String interval) {}
}

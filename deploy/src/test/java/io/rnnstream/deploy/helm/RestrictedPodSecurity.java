package io.rnnstream.deploy.helm;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The checks of the Kubernetes Pod Security Standards' "restricted" profile (which includes
 * "baseline"), applied to one pod spec, as the Pod Security admission controller would apply them.
 */
final class RestrictedPodSecurity {

    private static final Set<String> ALLOWED_VOLUME_TYPES =
            Set.of(
                    "configMap",
                    "csi",
                    "downwardAPI",
                    "emptyDir",
                    "ephemeral",
                    "persistentVolumeClaim",
                    "projected",
                    "secret");

    private RestrictedPodSecurity() {}

    /** Every violation, each naming the pod and container; empty when the pod is admitted. */
    static List<String> violations(String pod, PodSpec spec) {
        List<String> found = new ArrayList<>();
        PodSecurityContext podContext = spec.getSecurityContext();
        if (Boolean.TRUE.equals(spec.getHostNetwork())
                || Boolean.TRUE.equals(spec.getHostPID())
                || Boolean.TRUE.equals(spec.getHostIPC())) {
            found.add(pod + ": host namespaces (hostNetwork, hostPID, hostIPC) must not be used");
        }
        for (Volume volume : spec.getVolumes()) {
            String type = volumeType(volume);
            if (!ALLOWED_VOLUME_TYPES.contains(type)) {
                found.add(pod + ": volume " + volume.getName() + " has restricted type " + type);
            }
        }
        if (podContext != null
                && podContext.getSysctls() != null
                && !podContext.getSysctls().isEmpty()) {
            found.add(pod + ": sysctls must not be set");
        }
        if (podContext != null && Long.valueOf(0).equals(podContext.getRunAsUser())) {
            found.add(pod + ": runAsUser must not be 0");
        }
        Stream.of(spec.getInitContainers(), spec.getContainers())
                .flatMap(List::stream)
                .forEach(c -> found.addAll(containerViolations(pod, podContext, c)));
        if (spec.getContainers().isEmpty()) {
            found.add(pod + ": no containers to check");
        }
        return found;
    }

    private static List<String> containerViolations(
            String pod, PodSecurityContext podContext, Container container) {
        String where = pod + " container " + container.getName();
        List<String> found = new ArrayList<>();
        SecurityContext context = container.getSecurityContext();
        if (context == null) {
            return List.of(where + ": no securityContext");
        }
        if (Boolean.TRUE.equals(context.getPrivileged())) {
            found.add(where + ": privileged");
        }
        if (!Boolean.FALSE.equals(context.getAllowPrivilegeEscalation())) {
            found.add(where + ": allowPrivilegeEscalation must be false");
        }
        Capabilities capabilities = context.getCapabilities();
        if (capabilities == null || !capabilities.getDrop().contains("ALL")) {
            found.add(where + ": capabilities must drop ALL");
        }
        if (capabilities != null
                && capabilities.getAdd().stream().anyMatch(c -> !c.equals("NET_BIND_SERVICE"))) {
            found.add(where + ": only NET_BIND_SERVICE may be added, not " + capabilities.getAdd());
        }
        boolean nonRoot =
                context.getRunAsNonRoot() != null
                        ? context.getRunAsNonRoot()
                        : podContext != null && Boolean.TRUE.equals(podContext.getRunAsNonRoot());
        if (!nonRoot) {
            found.add(where + ": runAsNonRoot must be true (pod or container)");
        }
        if (Long.valueOf(0).equals(context.getRunAsUser())) {
            found.add(where + ": runAsUser must not be 0");
        }
        SeccompProfile seccomp =
                context.getSeccompProfile() != null
                        ? context.getSeccompProfile()
                        : podContext == null ? null : podContext.getSeccompProfile();
        if (seccomp == null || !Set.of("RuntimeDefault", "Localhost").contains(seccomp.getType())) {
            found.add(where + ": seccompProfile must be RuntimeDefault or Localhost");
        }
        if (context.getProcMount() != null && !context.getProcMount().equals("Default")) {
            found.add(where + ": procMount must be Default");
        }
        for (ContainerPort port : container.getPorts()) {
            if (port.getHostPort() != null && port.getHostPort() != 0) {
                found.add(where + ": hostPort " + port.getHostPort());
            }
        }
        return found;
    }

    private static String volumeType(Volume v) {
        if (v.getConfigMap() != null) return "configMap";
        if (v.getCsi() != null) return "csi";
        if (v.getDownwardAPI() != null) return "downwardAPI";
        if (v.getEmptyDir() != null) return "emptyDir";
        if (v.getEphemeral() != null) return "ephemeral";
        if (v.getPersistentVolumeClaim() != null) return "persistentVolumeClaim";
        if (v.getProjected() != null) return "projected";
        if (v.getSecret() != null) return "secret";
        if (v.getHostPath() != null) return "hostPath";
        return "another type";
    }
}

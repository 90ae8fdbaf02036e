{{/* Chart name, truncated to the 63 characters Kubernetes names allow. */}}
{{- define "rnnstream.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name prefix: <release>-<chart> unless the release name already contains it. */}}
{{- define "rnnstream.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "rnnstream.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rnnstream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "rnnstream.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "rnnstream.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "rnnstream.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "rnnstream.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "rnnstream.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end }}

{{/* Pod-level settings of the Kubernetes "restricted" Pod Security Standard. */}}
{{- define "rnnstream.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.runAsUser }}
runAsGroup: {{ .Values.runAsUser }}
fsGroup: {{ .Values.runAsUser }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container-level settings of the "restricted" Pod Security Standard. */}}
{{- define "rnnstream.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.runAsUser }}
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* The model store as a URI: the configured one, or the mounted volume. */}}
{{- define "rnnstream.modelStoreUri" -}}
{{- if .Values.modelStore.uri }}
{{- .Values.modelStore.uri }}
{{- else }}
{{- printf "file://%s" .Values.modelStore.mountPath }}
{{- end }}
{{- end }}

{{- define "rnnstream.modelClaim" -}}
{{- default (printf "%s-models" (include "rnnstream.fullname" .)) .Values.modelStore.persistence.existingClaim }}
{{- end }}

{{- define "rnnstream.modelVolumeEnabled" -}}
{{- if and (not .Values.modelStore.uri) (or .Values.modelStore.persistence.create .Values.modelStore.persistence.existingClaim) }}true{{ end }}
{{- end }}

{{- define "rnnstream.flinkClaim" -}}
{{- default (printf "%s-flink-data" (include "rnnstream.fullname" .)) .Values.flink.persistence.existingClaim }}
{{- end }}

{{- define "rnnstream.flinkVolumeEnabled" -}}
{{- if or .Values.flink.persistence.create .Values.flink.persistence.existingClaim }}true{{ end }}
{{- end }}

{{/*
A PersistentVolumeClaim. Arguments: a list of the root context, the claim name, the
persistence values and whether the claim is created by the pre-install hook.
*/}}
{{- define "rnnstream.claim" -}}
{{- $root := index . 0 }}
{{- $persistence := index . 2 }}
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {{ index . 1 }}
  labels:
    {{- include "rnnstream.labels" $root | nindent 4 }}
  annotations:
    # Keeps models and checkpoints when the release is uninstalled.
    helm.sh/resource-policy: keep
    {{- if index . 3 }}
    helm.sh/hook: pre-install
    helm.sh/hook-weight: "-20"
    # Not Helm's default (before-hook-creation, which deletes an existing copy); a claim never
    # fails, so this never deletes it.
    helm.sh/hook-delete-policy: hook-failed
    {{- end }}
spec:
  accessModes:
    {{- toYaml $persistence.accessModes | nindent 4 }}
  {{- with $persistence.storageClassName }}
  storageClassName: {{ . }}
  {{- end }}
  resources:
    requests:
      storage: {{ $persistence.size }}
{{- end }}

{{/* Volumes every rnnstream pod mounts: writable /tmp, models, Kafka credentials, extra volumes. */}}
{{- define "rnnstream.commonVolumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.flink.tmpSizeLimit }}
{{- with (include "rnnstream.storeVolumes" . | trim) }}
{{ . }}
{{- end }}
{{- end }}

{{- define "rnnstream.commonVolumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- with (include "rnnstream.storeVolumeMounts" . | trim) }}
{{ . }}
{{- end }}
{{- end }}

{{/* The model volume, the Kafka credentials and the extra volumes. */}}
{{- define "rnnstream.storeVolumes" -}}
{{- if include "rnnstream.modelVolumeEnabled" . }}
- name: models
  persistentVolumeClaim:
    claimName: {{ include "rnnstream.modelClaim" . }}
{{- end }}
{{- if .Values.kafka.credentials.existingSecret }}
- name: kafka-credentials
  secret:
    secretName: {{ .Values.kafka.credentials.existingSecret }}
{{- end }}
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "rnnstream.storeVolumeMounts" -}}
{{- if include "rnnstream.modelVolumeEnabled" . }}
- name: models
  mountPath: {{ .Values.modelStore.mountPath }}
{{- end }}
{{- if .Values.kafka.credentials.existingSecret }}
- name: kafka-credentials
  mountPath: {{ .Values.kafka.credentials.mountPath }}
  readOnly: true
{{- end }}
{{- with .Values.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Pod labels: the selector labels, the pod's component and podLabels. Arguments: root, component. */}}
{{- define "rnnstream.podLabels" -}}
{{- $root := index . 0 -}}
{{ include "rnnstream.selectorLabels" $root }}
app.kubernetes.io/component: {{ index . 1 }}
{{- with $root.Values.podLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Where pods run: node selector, affinity, tolerations, priority class, image pull secrets. */}}
{{- define "rnnstream.scheduling" -}}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- end }}

{{/* The account of the bootstrap hook: it runs before the release's own account exists. */}}
{{- define "rnnstream.bootstrapServiceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- printf "%s-bootstrap" (include "rnnstream.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- include "rnnstream.serviceAccountName" . }}
{{- end }}
{{- end }}

{{/*
The spec of a pod that runs the rnnstream command line (retraining, bootstrap hook, helm test).
The image's entrypoint stays in charge, as in the Flink pods: it links the plugins
ENABLE_BUILT_IN_PLUGINS names (S3 for s3:// model stores) into /opt/flink/plugins and writes
Flink's configuration, then runs the command. The root file system is read-only, so those two
directories are emptyDirs (the configuration copied from the image by an init container), and
the home directory is /tmp (HOME for the shell, user.home for the JVM, which takes it from the
passwd entry, /opt/flink, otherwise): JavaCPP unpacks DL4J's native libraries under it.
Arguments (dict): root, component, args (list), configMap (mounted at /etc/rnnstream/config),
serviceAccount, javaOpts, resources, env (list of EnvVar, optional).
*/}}
{{- define "rnnstream.cliPodSpec" -}}
{{- $root := .root -}}
serviceAccountName: {{ .serviceAccount }}
# The command line talks to Kafka and the model store, never to the Kubernetes API.
automountServiceAccountToken: false
securityContext:
  {{- include "rnnstream.podSecurityContext" $root | nindent 2 }}
{{- include "rnnstream.scheduling" $root }}
initContainers:
  - name: flink-conf
    image: {{ include "rnnstream.image" $root | quote }}
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    command: ["cp", "-R", "/opt/flink/conf/.", "/flink-conf/"]
    resources:
      requests:
        cpu: 50m
        memory: 32Mi
      limits:
        cpu: 200m
        memory: 32Mi
    securityContext:
      {{- include "rnnstream.containerSecurityContext" $root | nindent 6 }}
      readOnlyRootFilesystem: true
    volumeMounts:
      - name: flink-conf
        mountPath: /flink-conf
containers:
  - name: {{ .component }}
    image: {{ include "rnnstream.image" $root | quote }}
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    # No command: the image's entrypoint runs these arguments after its set-up.
    args:
      {{- toYaml .args | nindent 6 }}
    env:
      - name: JAVA_OPTS
        value: {{ printf "%s -Duser.home=/tmp -Dlog4j2.configurationFile=/etc/rnnstream/config/log4j2-cli.properties" .javaOpts | trim | quote }}
      - name: HOME
        value: /tmp
      {{- with $root.Values.flink.plugins }}
      - name: ENABLE_BUILT_IN_PLUGINS
        value: {{ join ";" . | quote }}
      {{- end }}
      {{- with .env }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
      {{- with $root.Values.extraEnv }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
    resources:
      {{- toYaml .resources | nindent 6 }}
    securityContext:
      {{- include "rnnstream.containerSecurityContext" $root | nindent 6 }}
      readOnlyRootFilesystem: true
    volumeMounts:
      - name: tmp
        mountPath: /tmp
      - name: flink-conf
        mountPath: /opt/flink/conf
      - name: flink-plugins
        mountPath: /opt/flink/plugins
      - name: config
        mountPath: /etc/rnnstream/config
        readOnly: true
      {{- with (include "rnnstream.storeVolumeMounts" $root) }}
      {{- . | trim | nindent 6 }}
      {{- end }}
volumes:
  # DL4J's native libraries (about 400 MB unpacked) and the in-process Flink's files.
  - name: tmp
    emptyDir:
      sizeLimit: 2Gi
  - name: flink-conf
    emptyDir:
      sizeLimit: 16Mi
  - name: flink-plugins
    emptyDir:
      sizeLimit: 16Mi
  - name: config
    configMap:
      name: {{ .configMap }}
  {{- with (include "rnnstream.storeVolumes" $root) }}
  {{- . | trim | nindent 2 }}
  {{- end }}
{{- end }}

{{/* log4j2 configuration of the command-line pods (properties format). */}}
{{- define "rnnstream.cliLog4j" -}}
# Everything to stderr, one line per event; generated from the chart's logging values.
status = warn
appender.stderr.type = Console
appender.stderr.name = stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5level %c{1} - %msg%n
rootLogger.level = {{ .Values.logging.cliRootLevel }}
rootLogger.appenderRef.stderr.ref = stderr
logger.rnnstream.name = io.rnnstream
logger.rnnstream.level = {{ .Values.logging.level }}
{{- range $i, $name := keys .Values.logging.loggers | sortAlpha }}
logger.extra{{ $i }}.name = {{ $name }}
logger.extra{{ $i }}.level = {{ get $.Values.logging.loggers $name }}
{{- end }}
{{- end }}

{{/*
Kafka client settings shared by the stream job and retraining, as kafka.<key>=<value> lines.
The secret config provider reads the mounted credential files; no secret value is rendered.
*/}}
{{- define "rnnstream.kafkaProperties" -}}
bootstrap.servers={{ .Values.kafka.bootstrapServers }}
topic.models={{ .Values.kafka.topics.models }}
{{- range $key, $value := .Values.kafka.properties }}
kafka.{{ $key }}={{ $value }}
{{- end }}
{{- if .Values.kafka.credentials.existingSecret }}
kafka.config.providers=secret
kafka.config.providers.secret.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider
kafka.config.providers.secret.param.allowed.paths={{ .Values.kafka.credentials.mountPath }}
{{- range $key, $value := .Values.kafka.credentials.properties }}
kafka.{{ $key }}={{ $value }}
{{- end }}
{{- end }}
{{- end }}

{{/* The Flink ports fixed in the FlinkDeployment's configuration, as NetworkPolicy ports. */}}
{{- define "rnnstream.flinkPorts" -}}
- protocol: TCP
  port: 6121
- protocol: TCP
  port: 6122
- protocol: TCP
  port: 6123
- protocol: TCP
  port: 6124
- protocol: TCP
  port: 8081
{{- end }}

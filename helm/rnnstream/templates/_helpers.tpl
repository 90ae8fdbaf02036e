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
A PersistentVolumeClaim. Arguments: a list of the root context, the claim name and the
persistence values.
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

{{/* Volumes every rnnstream pod mounts: writable /tmp, models, Kafka credentials. */}}
{{- define "rnnstream.commonVolumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.flink.tmpSizeLimit }}
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
{{- end }}

{{- define "rnnstream.commonVolumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if include "rnnstream.modelVolumeEnabled" . }}
- name: models
  mountPath: {{ .Values.modelStore.mountPath }}
{{- end }}
{{- if .Values.kafka.credentials.existingSecret }}
- name: kafka-credentials
  mountPath: {{ .Values.kafka.credentials.mountPath }}
  readOnly: true
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

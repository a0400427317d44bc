{{/* Names, labels and the environment both processes share. */}}

{{- define "slipway.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "slipway.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Selector labels of one component: include with (dict "root" $ "component" "controller"). */}}
{{- define "slipway.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "slipway.serviceAccountName" -}}
{{- printf "%s-%s" (include "slipway.fullname" .root) .component -}}
{{- end -}}

{{- define "slipway.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* Redis: one URL, Sentinels and a master name, or a Redis Cluster's nodes (src/runtime/config.ts). */}}
{{- define "slipway.redisEnv" -}}
{{- $redis := .Values.redis -}}
{{- if and $redis.sentinel.addresses $redis.cluster.nodes }}
{{- fail "redis: set sentinel.addresses (Sentinels in front of one master) or cluster.nodes (a Redis Cluster), not both" }}
{{- end }}
{{- if $redis.sentinel.addresses }}
- name: SLIPWAY_REDIS_SENTINELS
  value: {{ join "," $redis.sentinel.addresses | quote }}
- name: SLIPWAY_REDIS_SENTINEL_MASTER
  value: {{ $redis.sentinel.masterName | quote }}
{{- else if $redis.cluster.nodes }}
{{- if and .Values.queuePrefix (not (regexMatch "\\{[^{}]+\\}" .Values.queuePrefix)) }}
{{- fail (printf "queuePrefix %q has no hash tag, which a Redis Cluster needs: put its name in braces, e.g. \"{%s}\"" .Values.queuePrefix .Values.queuePrefix) }}
{{- end }}
- name: SLIPWAY_REDIS_CLUSTER_NODES
  value: {{ join "," $redis.cluster.nodes | quote }}
{{- else }}
- name: REDIS_URL
  value: {{ $redis.url | quote }}
{{- end }}
{{- with $redis.username }}
- name: SLIPWAY_REDIS_USERNAME
  value: {{ . | quote }}
{{- end }}
{{- if $redis.existingSecret }}
{{- if $redis.passwordKey }}
- name: SLIPWAY_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $redis.existingSecret }}
      key: {{ $redis.passwordKey }}
{{- end }}
{{- if $redis.sentinelPasswordKey }}
- name: SLIPWAY_REDIS_SENTINEL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $redis.existingSecret }}
      key: {{ $redis.sentinelPasswordKey }}
{{- end }}
{{- end }}
{{- end -}}

{{/* What the controller and the worker both read: they must agree on the queue, the hub and the protected objects. */}}
{{- define "slipway.commonEnv" -}}
- name: SLIPWAY_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: SLIPWAY_IDENTITY
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: SLIPWAY_LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- with .Values.queuePrefix }}
- name: SLIPWAY_QUEUE_PREFIX
  value: {{ . | quote }}
{{- end }}
- name: SLIPWAY_STATE_DIR
  value: /var/lib/slipway
- name: SLIPWAY_METRICS_HOST
  value: "0.0.0.0"
- name: SLIPWAY_METRICS_PORT
  value: {{ .Values.metrics.port | quote }}
{{- if .Values.watchNamespaces }}
- name: SLIPWAY_WATCH_NAMESPACES
  value: {{ join "," .Values.watchNamespaces | quote }}
{{- end }}
{{- if .Values.protectedObjects }}
- name: SLIPWAY_PROTECTED_OBJECTS
  value: {{ .Values.protectedObjects | quote }}
{{- end }}
{{ include "slipway.redisEnv" . }}
{{- end -}}

{{/* The pod and container security context: non-root, read-only root file system, no privileges. */}}
{{- define "slipway.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsUser }}
fsGroup: {{ .Values.securityContext.runAsUser }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "slipway.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{- define "slipway.probes" -}}
livenessProbe:
  httpGet:
    path: /healthz
    port: metrics
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 6
readinessProbe:
  httpGet:
    path: /readyz
    port: metrics
  periodSeconds: 5
  timeoutSeconds: 5
  failureThreshold: 3
{{- end -}}

{{- define "slipway.scheduling" -}}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "slipway.hubKubeconfigVolume" -}}
{{- if .Values.hub.kubeconfigSecret }}
secret:
  secretName: {{ .Values.hub.kubeconfigSecret }}
  items:
    - key: {{ .Values.hub.kubeconfigKey }}
      path: kubeconfig
{{- else }}
configMap:
  name: {{ include "slipway.fullname" . }}-hub-kubeconfig
{{- end }}
{{- end -}}

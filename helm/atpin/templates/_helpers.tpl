{{/* Chart name, truncated to the 63 characters DNS labels allow. */}}
{{- define "atpin.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* release-chart, unless the release name already contains the chart name. */}}
{{- define "atpin.fullname" -}}
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

{{- define "atpin.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "atpin.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector of the service pods. */}}
{{- define "atpin.selectorLabels" -}}
app.kubernetes.io/name: {{ include "atpin.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: service
{{- end }}

{{/* Selector of the Kubo pods. */}}
{{- define "atpin.kubo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "atpin.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: kubo
{{- end }}

{{- define "atpin.kubo.fullname" -}}
{{- printf "%s-kubo" (include "atpin.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "atpin.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "atpin.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "atpin.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The host of publicUrl (for the did:web DID, Ingress and HTTPRoute). */}}
{{- define "atpin.publicHost" -}}
{{- $url := required "publicUrl is required (e.g. https://pin.example.org)" .Values.publicUrl }}
{{- (urlParse $url).host }}
{{- end }}

{{- define "atpin.serviceDid" -}}
{{- if .Values.serviceDid }}
{{- .Values.serviceDid }}
{{- else }}
{{- printf "did:web:%s" (include "atpin.publicHost" . | replace ":" "%3A") }}
{{- end }}
{{- end }}

{{/* Name of the Secret with the keys. */}}
{{- define "atpin.keysSecretName" -}}
{{- default (printf "%s-keys" (include "atpin.fullname" .)) .Values.secrets.existingSecret }}
{{- end }}

{{- define "atpin.databaseSecretName" -}}
{{- default (include "atpin.fullname" .) .Values.database.existingSecret }}
{{- end }}

{{- define "atpin.oidcSecretName" -}}
{{- default (include "atpin.fullname" .) .Values.operators.oidc.existingSecret }}
{{- end }}

{{- define "atpin.clusterSecretName" -}}
{{- default (printf "%s-cluster" (include "atpin.fullname" .)) .Values.cluster.existingSecret }}
{{- end }}

{{/*
The Kubo nodes handed to the service: one per StatefulSet replica (its stable DNS name through the headless
Service), then the external ones. A dict name -> RPC URL.
*/}}
{{- define "atpin.kuboNodes" -}}
{{- $nodes := dict }}
{{- if .Values.kubo.enabled }}
{{- $sts := include "atpin.kubo.fullname" . }}
{{- range $i := until (int .Values.kubo.replicas) }}
{{- $_ := set $nodes (printf "kubo-%d" $i) (printf "http://%s-%d.%s.%s.svc.cluster.local:5001" $sts $i $sts $.Release.Namespace) }}
{{- end }}
{{- end }}
{{- range $name, $url := .Values.kubo.externalNodes }}
{{- $_ := set $nodes $name $url }}
{{- end }}
{{- toYaml $nodes }}
{{- end }}

{{/* The env of the service container and of the keycloak-setup Job: settings file, secrets, JVM. */}}
{{- define "atpin.env" -}}
- name: QUARKUS_CONFIG_LOCATIONS
  value: /etc/atpin/config/atpin.properties
- name: JAVA_TOOL_OPTIONS
  value: {{ printf "-XX:MaxRAMPercentage=%v -XX:+ExitOnOutOfMemoryError %s" .Values.jvm.maxRamPercentage .Values.jvm.extraOptions | trim | quote }}
- name: QUARKUS_DATASOURCE_USERNAME
{{- if and .Values.database.existingSecret .Values.database.existingSecretUsernameKey }}
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.existingSecret }}
      key: {{ .Values.database.existingSecretUsernameKey }}
{{- else }}
  value: {{ .Values.database.username | quote }}
{{- end }}
- name: QUARKUS_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "atpin.databaseSecretName" . }}
      key: {{ ternary .Values.database.existingSecretPasswordKey "database-password" (ne .Values.database.existingSecret "") }}
{{- if .Values.operators.oidc.authServerUrl }}
- name: ATPIN_OPERATORS_OIDC_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "atpin.oidcSecretName" . }}
      key: {{ ternary .Values.operators.oidc.existingSecretKey "oidc-client-secret" (ne .Values.operators.oidc.existingSecret "") }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Volumes of the service container and of the keycloak-setup Job. */}}
{{- define "atpin.volumes" -}}
- name: config
  configMap:
    name: {{ include "atpin.fullname" . }}
- name: keys
  secret:
    secretName: {{ include "atpin.keysSecretName" . }}
    defaultMode: 0440
    items:
      - key: api-token-signing.key.pem
        path: api-token-signing.key.pem
      {{- range .Values.secrets.dataKeys }}
      - key: {{ . }}
        path: data-keys/{{ trimSuffix ".key" . }}.key
      {{- end }}
- name: oauth-keys
  secret:
    secretName: {{ include "atpin.keysSecretName" . }}
    defaultMode: 0440
    items:
      - key: oauth-client.key.pem
        path: client-chart.key.pem
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- end }}

{{- define "atpin.volumeMounts" -}}
- name: config
  mountPath: /etc/atpin/config
  readOnly: true
- name: keys
  mountPath: /etc/atpin/keys
  readOnly: true
- name: oauth-keys
  mountPath: /etc/atpin/oauth-keys
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- end }}

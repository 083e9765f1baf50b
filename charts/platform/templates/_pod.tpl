{{/*
Pod template shared by the stable and the canary Deployments.
Usage: include "platform.podTemplate" (dict "cfg" $cfg "track" "stable" "tag" "" "context" $)
*/}}
{{- define "platform.podTemplate" -}}
{{- $ := .context -}}
{{- $cfg := .cfg -}}
{{- $fullname := include "platform.fullname" $ -}}
metadata:
  labels:
    {{- include "platform.labels" (dict "component" $cfg.name "context" $) | nindent 4 }}
    platform.example.com/track: {{ .track }}
  annotations:
    checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") $ | sha256sum }}
    checksum/secret: {{ include (print $.Template.BasePath "/secret.yaml") $ | sha256sum | trunc 16 | quote }}
    {{- with $cfg.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "common.names.serviceAccount" (dict "sa" $cfg.serviceAccount "component" $cfg.name "context" $) }}
  automountServiceAccountToken: {{ $cfg.serviceAccount.automount }}
  {{- with include "common.images.pullSecrets" (dict "images" (list $.Values.image) "global" $.Values.global) }}
  {{- . | nindent 2 }}
  {{- end }}
  {{- if $cfg.podAntiAffinity }}
  affinity:
    podAntiAffinity:
      {{- $sel := dict "component" $cfg.name "context" $ }}
      {{- if eq $cfg.podAntiAffinity "hard" }}
      requiredDuringSchedulingIgnoredDuringExecution:
        - labelSelector:
            matchLabels: {{- include "common.labels.matchLabels" $sel | nindent 14 }}
          topologyKey: {{ $cfg.topologyKey }}
      {{- else }}
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            labelSelector:
              matchLabels: {{- include "common.labels.matchLabels" $sel | nindent 16 }}
            topologyKey: {{ $cfg.topologyKey }}
      {{- end }}
  {{- end }}
  {{- with $cfg.nodeSelector }}
  nodeSelector: {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $cfg.tolerations }}
  tolerations: {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $cfg.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- range . }}
    - maxSkew: {{ .maxSkew | default 1 }}
      topologyKey: {{ .topologyKey }}
      whenUnsatisfiable: {{ .whenUnsatisfiable | default "ScheduleAnyway" }}
      labelSelector:
        matchLabels: {{- include "platform.selectorLabels" (dict "component" $cfg.name "track" "stable" "context" $) | nindent 10 }}
    {{- end }}
  {{- end }}
  terminationGracePeriodSeconds: {{ $cfg.terminationGracePeriodSeconds | default 30 }}
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    fsGroup: 10001
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: {{ $cfg.name }}
      image: {{ include "platform.image" (dict "binary" $cfg.binary "tag" .tag "context" $) | quote }}
      imagePullPolicy: {{ $.Values.image.pullPolicy }}
      args:
        - --config=/etc/platform/app.yaml
        - --service={{ $cfg.name }}
      ports:
        - name: http
          containerPort: {{ $cfg.port }}
          protocol: TCP
        {{- if gt (int $cfg.grpcPort) 0 }}
        - name: grpc
          containerPort: {{ $cfg.grpcPort }}
          protocol: TCP
        {{- end }}
        - name: metrics
          containerPort: {{ $cfg.metricsPort }}
          protocol: TCP
      {{- $env := merge (dict) (.extraEnv | default dict) $cfg.env }}
      env:
        - name: SERVICE_NAME
          value: {{ $cfg.name | quote }}
        - name: DEPLOY_TRACK
          value: {{ .track | quote }}
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        {{- if (include "platform.dependencyEnabled" (dict "chart" "postgresql" "tag" "database" "context" $)) }}
        - name: DB_PASSWORD
          valueFrom:
            secretKeyRef:
              name: {{ include "platform.dependencyHost" (dict "chart" "postgresql" "context" $) }}
              key: password
        {{- end }}
        {{- if and $.Values.cache.enabled $.Values.cache.auth.enabled }}
        - name: REDIS_PASSWORD
          valueFrom:
            secretKeyRef:
              name: {{ include "platform.dependencyHost" (dict "chart" "cache" "context" $) }}
              key: redis-password
        {{- end }}
        {{- range $k, $v := $env }}
        - name: {{ $k }}
          value: {{ $v | toString | quote }}
        {{- end }}
      envFrom:
        - configMapRef:
            name: {{ $fullname }}-config
        - secretRef:
            name: {{ $fullname }}-secret
      {{- with $cfg.probes }}
      livenessProbe:
        httpGet:
          path: {{ .liveness.path }}
          port: {{ .liveness.port | default "http" }}
        initialDelaySeconds: {{ .liveness.initialDelaySeconds }}
        periodSeconds: {{ .liveness.periodSeconds }}
        failureThreshold: {{ .liveness.failureThreshold }}
      readinessProbe:
        httpGet:
          path: {{ .readiness.path }}
          port: {{ .readiness.port | default "http" }}
        initialDelaySeconds: {{ .readiness.initialDelaySeconds }}
        periodSeconds: {{ .readiness.periodSeconds }}
        failureThreshold: {{ .readiness.failureThreshold }}
      {{- end }}
      resources: {{- include "common.resources.render" (dict "resources" $cfg.resources "preset" $cfg.resourcesPreset) | nindent 8 }}
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
      volumeMounts:
        - name: config
          mountPath: /etc/platform
          readOnly: true
        {{- if has $cfg.name (list "story-gen" "validator") }}
        - name: prompts
          mountPath: /etc/platform/prompts
          readOnly: true
        {{- end }}
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: config
      configMap:
        name: {{ $fullname }}-config
        items:
          - key: app.yaml
            path: app.yaml
    {{- if has $cfg.name (list "story-gen" "validator") }}
    - name: prompts
      configMap:
        name: {{ $fullname }}-prompts
    {{- end }}
    - name: tmp
      emptyDir:
        sizeLimit: 256Mi
{{- end -}}

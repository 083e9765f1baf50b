{{- define "app.name" -}}
{{- if .Values.nameOverride -}}{{ .Values.nameOverride }}{{- else -}}{{ .Chart.Name }}{{- end -}}
{{- end -}}
{{- define "app.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name -}}
{{- end -}}
{{- end -}}
{{- define "app.labels" }}
    app.kubernetes.io/name: {{ template "app.name" . }}
    app.kubernetes.io/instance: {{ .Release.Name }}
    app.kubernetes.io/managed-by: {{ .Release.Service }}
    app.kubernetes.io/version: {{ printf "%q" .Chart.AppVersion }}
{{- range $k, $v := .Values.commonLabels }}
    {{ $k }}: {{ printf "%q" $v }}
{{- end }}
{{- end -}}
{{- define "app.selectorLabels" }}
      app.kubernetes.io/name: {{ template "app.name" . }}
      app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{- define "app.podSelectorLabels" }}
        app.kubernetes.io/name: {{ template "app.name" . }}
        app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ template "app.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- template "app.labels" . }}
  {{- with .Values.deploymentAnnotations }}
  annotations:
    {{- range $k, $v := . }}
    {{ $k }}: {{ printf "%q" $v }}
    {{- end }}
  {{- end }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: {{ .Values.revisionHistoryLimit }}
  selector:
    matchLabels:
      {{- template "app.selectorLabels" . }}
  strategy:
    type: {{ .Values.strategy.type }}
    {{- if eq .Values.strategy.type "RollingUpdate" }}
    rollingUpdate:
      maxSurge: {{ .Values.strategy.maxSurge }}
      maxUnavailable: {{ .Values.strategy.maxUnavailable }}
    {{- end }}
  template:
    metadata:
      labels:
        {{- template "app.podSelectorLabels" . }}
        {{- range $k, $v := .Values.podLabels }}
        {{ $k }}: {{ printf "%q" $v }}
        {{- end }}
      annotations:
        checksum/config: {{ printf "%x" .Values.configChecksum }}
        {{- range $k, $v := .Values.podAnnotations }}
        {{ $k }}: {{ printf "%q" $v }}
        {{- end }}
    spec:
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ .name }}
        {{- end }}
      {{- end }}
      serviceAccountName: {{ if .Values.serviceAccount.create }}{{ template "app.fullname" . }}{{ else }}{{ or .Values.serviceAccount.name "default" }}{{ end }}
      securityContext:
        runAsUser: {{ .Values.podSecurityContext.runAsUser }}
        runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
        fsGroup: {{ .Values.podSecurityContext.fsGroup }}
      {{- if .Values.priorityClassName }}
      priorityClassName: {{ .Values.priorityClassName }}
      {{- end }}
      initContainers:
        {{- range $i, $c := .Values.initContainers }}
        - name: {{ $c.name }}
          image: {{ printf "%s:%s" $c.image.repository $c.image.tag }}
          command:
            {{- range $c.command }}
            - {{ printf "%q" . }}
            {{- end }}
        {{- end }}
      containers:
        - name: {{ template "app.name" . }}
          image: "{{ .Values.image.registry }}/{{ .Values.image.repository }}:{{ or .Values.image.tag .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          {{- with .Values.args }}
          args:
            {{- range . }}
            - {{ printf "%q" . }}
            {{- end }}
          {{- end }}
          env:
            - name: RELEASE_NAME
              value: {{ printf "%q" .Release.Name }}
            {{- range $k, $v := .Values.env }}
            - name: {{ $k }}
              value: {{ printf "%q" (print $v) }}
            {{- end }}
            {{- range .Values.secretEnv }}
            - name: {{ .name }}
              valueFrom:
                secretKeyRef:
                  name: {{ .secret }}
                  key: {{ .key }}
            {{- end }}
          ports:
            {{- range $name, $port := .Values.ports }}
            - name: {{ $name }}
              containerPort: {{ $port.containerPort }}
              protocol: {{ or $port.protocol "TCP" }}
            {{- end }}
          {{- if .Values.livenessProbe.enabled }}
          livenessProbe:
            httpGet:
              path: {{ .Values.livenessProbe.path }}
              port: {{ .Values.livenessProbe.port }}
            initialDelaySeconds: {{ .Values.livenessProbe.initialDelaySeconds }}
            periodSeconds: {{ .Values.livenessProbe.periodSeconds }}
          {{- end }}
          {{- if .Values.readinessProbe.enabled }}
          readinessProbe:
            httpGet:
              path: {{ .Values.readinessProbe.path }}
              port: {{ .Values.readinessProbe.port }}
            periodSeconds: {{ .Values.readinessProbe.periodSeconds }}
          {{- end }}
          resources:
            limits:
              cpu: {{ .Values.resources.limits.cpu }}
              memory: {{ .Values.resources.limits.memory }}
            requests:
              cpu: {{ .Values.resources.requests.cpu }}
              memory: {{ .Values.resources.requests.memory }}
          volumeMounts:
            {{- range .Values.volumes }}
            - name: {{ .name }}
              mountPath: {{ .mountPath }}
              readOnly: {{ and .readOnly true }}
            {{- end }}
      volumes:
        {{- range .Values.volumes }}
        - name: {{ .name }}
          {{- if eq .type "configMap" }}
          configMap:
            name: {{ .source }}
          {{- else if eq .type "secret" }}
          secret:
            secretName: {{ .source }}
          {{- else }}
          emptyDir: {}
          {{- end }}
        {{- end }}
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- range $k, $v := . }}
        {{ $k }}: {{ $v }}
        {{- end }}
      {{- end }}
      {{- with .Values.tolerations }}
      tolerations:
        {{- range . }}
        - key: {{ .key }}
          operator: {{ .operator }}
          effect: {{ .effect }}
        {{- end }}
      {{- end }}

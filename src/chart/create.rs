//! `rudder create NAME`: a starter chart of Rudder's own design (not Helm's starter): one Deployment
//! and one Service driven by a small values file, a helpers file, NOTES.txt and a `.helmignore`.
use std::fs;
use std::path::Path;

use super::error::Error;

/// The files of a new chart called `name`, as (relative path, contents).
pub fn starter_files(name: &str) -> Vec<(String, String)> {
    let chart_yaml = format!(
        "apiVersion: v2\nname: {name}\ndescription: A Kubernetes application packaged with Rudder\ntype: application\nversion: 0.1.0\nappVersion: \"1.0.0\"\n"
    );
    let values = "\
# How many pods to run.
replicas: 1

image:
  repository: ghcr.io/example/app
  tag: \"\"          # defaults to the chart's appVersion
  pullPolicy: IfNotPresent

# The port the container listens on and the Service exposes.
port: 8080

service:
  type: ClusterIP

resources: {}

# Extra environment variables, as a name: value map.
env: {}
";
    let helpers = "\
{{/* The name of every object: the release name, suffixed with the chart name unless it contains it. */}}
{{- define \"app.fullname\" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix \"-\" -}}
{{- else -}}
{{- printf \"%s-%s\" .Release.Name .Chart.Name | trunc 63 | trimSuffix \"-\" -}}
{{- end -}}
{{- end -}}

{{/* Labels shared by every object. */}}
{{- define \"app.labels\" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The labels a Service selects pods by. */}}
{{- define \"app.selector\" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
";
    let deployment = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include \"app.fullname\" . }}
  labels:
    {{- include \"app.labels\" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      {{- include \"app.selector\" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include \"app.selector\" . | nindent 8 }}
    spec:
      containers:
        - name: app
          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}\"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ .Values.port }}
          {{- with .Values.env }}
          env:
            {{- range $name, $value := . }}
            - name: {{ $name }}
              value: {{ $value | quote }}
            {{- end }}
          {{- end }}
          {{- with .Values.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
";
    let service = "\
apiVersion: v1
kind: Service
metadata:
  name: {{ include \"app.fullname\" . }}
  labels:
    {{- include \"app.labels\" . | nindent 4 }}
spec:
  type: {{ .Values.service.type }}
  selector:
    {{- include \"app.selector\" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.port }}
      targetPort: http
";
    let notes = "\
{{ .Chart.Name }} is installed as {{ include \"app.fullname\" . }} in namespace {{ .Release.Namespace }}.
Reach it inside the cluster at http://{{ include \"app.fullname\" . }}.{{ .Release.Namespace }}.svc:{{ .Values.port }}
";
    let helmignore =
        "# Files left out of the packaged chart.\n.git/\n.DS_Store\n*.swp\n*.bak\n*.tmp\n";
    vec![
        ("Chart.yaml".into(), chart_yaml),
        ("values.yaml".into(), values.into()),
        (".helmignore".into(), helmignore.into()),
        ("templates/_helpers.tpl".into(), helpers.into()),
        ("templates/deployment.yaml".into(), deployment.into()),
        ("templates/service.yaml".into(), service.into()),
        ("templates/NOTES.txt".into(), notes.into()),
    ]
}

/// Writes a new chart directory `dir` (whose last component is the chart name).
pub fn create(dir: &Path) -> Result<(), Error> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.is_empty() || name.contains(['/', '\\']) {
        return Err(Error::Validation(format!(
            "chart name {} is invalid",
            super::error::go_quote(&name)
        )));
    }
    // Helm's `chartutil.Create` requires the parent directory to exist.
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let parent = std::path::absolute(&parent).unwrap_or(parent);
    match fs::metadata(&parent) {
        Err(e) => {
            return Err(Error::Io {
                path: format!("stat {}", super::lint::go_clean_display(&parent)),
                message: crate::go_os::reason(&e),
            })
        }
        Ok(meta) if !meta.is_dir() => {
            return Err(Error::Archive(format!(
                "no such directory {}",
                super::lint::go_clean_display(&parent)
            )))
        }
        Ok(_) => {}
    }
    for (rel, text) in starter_files(&name) {
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::Io {
                path: parent.display().to_string(),
                message: e.to_string(),
            })?;
        }
        fs::write(&path, text).map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_loads() {
        let dir = std::env::temp_dir().join(format!("rudder-create-{}", std::process::id()));
        let chart_dir = dir.join("demo");
        fs::create_dir_all(&dir).unwrap();
        create(&chart_dir).unwrap();
        assert!(create(&dir.join("missing/parent")).is_err());
        let chart = crate::chart::load(&chart_dir).unwrap();
        assert_eq!(chart.name(), "demo");
        assert_eq!(chart.templates.len(), 4);
        let _ = fs::remove_dir_all(&dir);
    }
}

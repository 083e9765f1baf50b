# extraDeploy manifests rendered through tpl, with the prod layer.
platform charts/platform -f charts/platform/values.prod.yaml -f charts/platform/ci/extra-deploy-values.yaml -f charts/platform/ci/pinned-passwords.yaml

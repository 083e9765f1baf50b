# Traces stored in the chart's Elasticsearch while it is switched off are refused with a clear error.
voice-infra charts/voice-infra -f charts/voice-infra/ci/pinned-passwords.yaml --set elasticsearch.enabled=false

# The prod layer, with the generated database passwords pinned.
notes charts/notes -f charts/notes/values.prod.yaml -f charts/notes/ci/pinned-passwords.yaml

# Base values only, passwords pinned.
notes charts/notes -f charts/notes/ci/pinned-passwords.yaml

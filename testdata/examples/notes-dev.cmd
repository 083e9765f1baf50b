# The dev layer (its passwords are fixed in values.dev.yaml), in a namespace of its own.
notes charts/notes -f charts/notes/values.dev.yaml -n notes-dev

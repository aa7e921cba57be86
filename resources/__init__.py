"""Hashiya's bundled files (fonts, default labels, cue lists, guidelines): installed as the package
`app.resources` and read through `app.packagedata`."""

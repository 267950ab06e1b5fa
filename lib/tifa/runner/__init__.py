"""Running it all: the stage tables shared by every notebook, the papermill pipeline, the CLI.

``stages`` (corpus -> units -> tokens once, left in ``<out>/data/`` for the notebooks),
``pipeline`` (papermill over the numbered notebooks, run.json), ``cli`` (the ``tifa`` command).
"""

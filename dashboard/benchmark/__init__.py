"""The benchmark: a synthetic province (`synthetic`) and `python -m dashboard bench` (`bench`).

Not part of the product's data path; it may use any stage of the core. The page renders it measures run in a
separate process through `dashboard/ui/bench_render.py`, as Streamlit code lives only in the UI.
"""

MAY_IMPORT = ('i18n', 'domain', 'storage', 'intake', 'analysis', 'output', 'example')  # the stages this one may import; tests/test_layout.py holds every module to it
